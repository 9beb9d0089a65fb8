"""The hall's secrets and what protects people's data with them (商用密码, GB/T 39786)."""
