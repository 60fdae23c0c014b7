-- wrk script for bench/listen.sh: POSTs the body in $BODY_FILE with a signature in $SIGNATURE.
local f = assert(io.open(os.getenv("BODY_FILE"), "rb"))
wrk.body = f:read("*a")
f:close()
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local signature = os.getenv("SIGNATURE")
if signature and signature ~= "" then
  wrk.headers["X-Webhook-Signature"] = signature
end
