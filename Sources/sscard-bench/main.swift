print("sscard-bench")
