# The phenomena `gilsim fidelity` holds against the real runtimes, written by hand in Ruby (the
# counterpart of phenomena.py, which gilsim runs too: the same experiments, the same `key value`
# lines).
#   ruby phenomena.rb cpu THREADS WORK             prints wall_s
#   ruby phenomena.rb sleep0 CPU_THREADS MS        prints ops, p50_us, p90_us
#   ruby phenomena.rb requests WORKERS N EACH_MS   prints wall_s
#   ruby phenomena.rb procs PROCESSES WORK         prints wall_s (WORK split over forked processes)
#   ruby phenomena.rb switches INTERVAL_MS MS      prints per_s (Ruby has no switch interval to set)

def clock = Process.clock_gettime(Process::CLOCK_MONOTONIC)

def countdown(n)
  n -= 1 while n > 0
end

def percentile(values, q)
  ordered = values.sort
  ordered[[ordered.size - 1, (q * ordered.size).to_i].min]
end

what = ARGV[0]
case what
when "cpu"
  threads, work = ARGV[1].to_i, ARGV[2].to_i
  t0 = clock
  Array.new(threads) { Thread.new { countdown(work / threads) } }.each(&:join)
  puts "wall_s #{clock - t0}"
when "sleep0"
  cpu, ms = ARGV[1].to_i, ARGV[2].to_f
  stop = false
  spinners = Array.new(cpu) { Thread.new { x = 0; x += 1 until stop } }
  lat = []
  t0 = clock
  while (clock - t0) * 1000 < ms
    t = clock
    sleep(0)
    lat << clock - t
  end
  stop = true
  spinners.each(&:join)
  puts "ops #{lat.size}"
  puts "p50_us #{percentile(lat, 0.5) * 1e6}"
  puts "p90_us #{percentile(lat, 0.9) * 1e6}"
when "requests"
  workers, n, each = ARGV[1].to_i, ARGV[2].to_i, ARGV[3].to_f
  todo, lock = n, Mutex.new
  t0 = clock
  Array.new(workers) do
    Thread.new do
      loop do
        mine = lock.synchronize { todo > 0 ? (todo -= 1; true) : false }
        break unless mine
        sleep(each / 1000)
      end
    end
  end.each(&:join)
  puts "wall_s #{clock - t0}"
when "procs"
  procs, work = ARGV[1].to_i, ARGV[2].to_i
  t0 = clock
  Array.new(procs) { Process.fork { countdown(work / procs) } }.each { |pid| Process.wait(pid) }
  puts "wall_s #{clock - t0}"
when "switches"
  ms = ARGV[2].to_f
  order, stop = [], false
  ts = Array.new(2) { |k| Thread.new { until stop; 100.times {}; order << k; end } }
  sleep(ms / 1000)
  stop = true
  ts.each(&:join)
  switches = (1...order.size).count { |i| order[i] != order[i - 1] }
  puts "per_s #{switches / (ms / 1000)}"
else
  abort "unknown phenomenon #{what}"
end
