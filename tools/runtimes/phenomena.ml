(* The phenomena `gilsim fidelity` holds against the real runtimes, written by hand in OCaml 4
   (the counterpart of phenomena.py, which gilsim runs too: the same experiments, the same `key value`
   lines). gilsim fidelity builds it with
     ocamlfind ocamlopt -package threads.posix,unix -linkpkg phenomena.ml -o phenomena
   or, without ocamlfind, ocamlopt -I +threads unix.cmxa threads.cmxa phenomena.ml -o phenomena.
     phenomena cpu THREADS WORK             prints wall_s
     phenomena sleep0 CPU_THREADS MS        prints ops, p50_us, p90_us
     phenomena requests WORKERS N EACH_MS   prints wall_s
     phenomena procs PROCESSES WORK         prints wall_s (WORK split over forked processes)
     phenomena switches INTERVAL_MS MS      prints per_s (OCaml has no switch interval to set)
   Unix.sleepf 0.0 is the sleep(0): it leaves the master lock in a blocking section, as
   Python's time.sleep(0) leaves the GIL. *)

let clock () = Unix.gettimeofday ()

let countdown n =
  let n = ref n in
  while !n > 0 do n := !n - 1 done

let percentile values q =
  let a = Array.of_list values in
  Array.sort compare a;
  let k = min (Array.length a - 1) (int_of_float (q *. float (Array.length a))) in
  a.(k)

let () =
  match Array.to_list Sys.argv with
  | _ :: "cpu" :: threads :: work :: _ ->
    let threads = int_of_string threads and work = int_of_string work in
    let t0 = clock () in
    List.init threads (fun _ -> Thread.create countdown (work / threads))
    |> List.iter Thread.join;
    Printf.printf "wall_s %f\n" (clock () -. t0)
  | _ :: "sleep0" :: cpu :: ms :: _ ->
    let stop = ref false in
    let spin () = let x = ref 0 in while not !stop do incr x done in
    let spinners = List.init (int_of_string cpu) (fun _ -> Thread.create spin ()) in
    let ms = float_of_string ms and lat = ref [] in
    let t0 = clock () in
    while (clock () -. t0) *. 1000. < ms do
      let t = clock () in
      Unix.sleepf 0.0;
      lat := (clock () -. t) :: !lat
    done;
    stop := true;
    List.iter Thread.join spinners;
    Printf.printf "ops %d\n" (List.length !lat);
    Printf.printf "p50_us %f\n" (percentile !lat 0.5 *. 1e6);
    Printf.printf "p90_us %f\n" (percentile !lat 0.9 *. 1e6)
  | _ :: "requests" :: workers :: n :: each :: _ ->
    let todo = ref (int_of_string n) and lock = Mutex.create () in
    let each = float_of_string each /. 1000. in
    let take () =
      Mutex.lock lock;
      let mine = !todo > 0 in
      if mine then decr todo;
      Mutex.unlock lock;
      mine in
    let worker () = while take () do Thread.delay each done in
    let t0 = clock () in
    List.init (int_of_string workers) (fun _ -> Thread.create worker ())
    |> List.iter Thread.join;
    Printf.printf "wall_s %f\n" (clock () -. t0)
  | _ :: "procs" :: procs :: work :: _ ->
    let procs = int_of_string procs and work = int_of_string work in
    let t0 = clock () in
    let pids = List.init procs (fun _ ->
      match Unix.fork () with
      | 0 -> countdown (work / procs); exit 0
      | pid -> pid) in
    List.iter (fun pid -> ignore (Unix.waitpid [] pid)) pids;
    Printf.printf "wall_s %f\n" (clock () -. t0)
  | _ :: "switches" :: _ :: ms :: _ ->
    let ms = float_of_string ms and order = ref [] and stop = ref false in
    let marker k () =
      while not !stop do
        for _ = 1 to 100 do () done;
        order := k :: !order
      done in
    let ts = List.init 2 (fun k -> Thread.create (marker k) ()) in
    Thread.delay (ms /. 1000.);
    stop := true;
    List.iter Thread.join ts;
    let rec count acc = function
      | a :: (b :: _ as rest) -> count (if a <> b then acc + 1 else acc) rest
      | _ -> acc in
    Printf.printf "per_s %f\n" (float (count 0 !order) /. (ms /. 1000.))
  | _ -> prerr_endline "usage: phenomena cpu|sleep0|requests|procs|switches ..."; exit 2
