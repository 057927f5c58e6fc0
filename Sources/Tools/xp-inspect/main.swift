print("xp-inspect")
