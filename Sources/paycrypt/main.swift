print("paycrypt")
