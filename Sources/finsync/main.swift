print("finsync")
