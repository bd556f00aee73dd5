-- wrk script: POST /mac/generate with a fixed body (the key ARN comes from the environment).
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "AWS4-HMAC-SHA256 Credential=test/20261129/us-east-1/payment-cryptography/aws4_request, SignedHeaders=host, Signature=0"
wrk.body = '{"KeyIdentifier":"' .. os.getenv("KEY_ARN") .. '","MessageData":"' .. string.rep("5A", 64) .. '","GenerationAttributes":{"Algorithm":"CMAC"}}'
