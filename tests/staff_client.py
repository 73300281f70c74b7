"""A staff member for tests: logs in to the console like the login page does and calls its API."""
import re

import httpx

PASSWORD = "a long enough password"


class Staff:
    def __init__(self, base: str):
        self.client = httpx.AsyncClient(base_url=base, timeout=15)
        self.csrf = None

    async def log_in(self, username: str, password: str = PASSWORD) -> httpx.Response:
        page = await self.client.get("/staff/login")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        response = await self.client.post("/staff/login", data={"username": username, "password": password,
                                                                "csrf_token": token})
        if response.status_code == 303:
            console = await self.client.get("/staff")
            self.csrf = re.search(r'<meta name="csrf-token" content="([^"]+)"', console.text).group(1)
        return response

    async def post(self, path: str, body=None) -> httpx.Response:
        return await self.client.post(path, json=body or {}, headers={"X-CSRF-Token": self.csrf or ""})

    async def close(self):
        await self.client.aclose()
