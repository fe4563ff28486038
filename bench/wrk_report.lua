-- wrk script for bench/pages.py: counts non-2xx answers per thread and, when the run is over,
-- prints one parseable line:
--   BENCH requests=N duration_us=N bytes=N p50_us=N p95_us=N p99_us=N max_us=N non2xx=N socket_errors=N
--         connect=N read=N write=N timeout=N status=N
-- (status = wrk's own count of answers >= 400; non2xx also counts 1xx and 3xx.)

local threads = {}

function setup(thread)
   table.insert(threads, thread)
end

function init(args)
   non2xx = 0
end

function response(status, headers, body)
   if status < 200 or status > 299 then
      non2xx = non2xx + 1
   end
end

function done(summary, latency, requests)
   local bad = 0
   for _, thread in ipairs(threads) do
      bad = bad + (thread:get("non2xx") or 0)
   end
   local e = summary.errors
   local socket_errors = e.connect + e.read + e.write + e.timeout
   io.write(string.format(
      "BENCH requests=%d duration_us=%d bytes=%d p50_us=%d p95_us=%d p99_us=%d max_us=%d " ..
      "non2xx=%d socket_errors=%d connect=%d read=%d write=%d timeout=%d status=%d\n",
      summary.requests, summary.duration, summary.bytes,
      latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max,
      bad, socket_errors, e.connect, e.read, e.write, e.timeout, e.status))
end
