#!/usr/bin/env python3
"""Start-up time and peak RSS of FileProcessing.Worker, Native AOT against JIT, on the same workload.

Per run: start `flow dev --memory`, start the worker under /usr/bin/time -v, time from spawning it to its
"first poll" line, run N executions of the file-processing workflow to completion (started with boto3),
SIGTERM the worker, read its peak RSS. Prints per-run figures, medians and ratios.

  python3 samples/FileProcessing.Worker/measure.py --runs 5 --executions 20
(after `dotnet build src/Flow.Cli -c Release`, `dotnet build samples/FileProcessing.Worker -c Release` and
`dotnet publish samples/FileProcessing.Worker -c Release -r linux-x64 -p:PublishAot=true`)
"""
import argparse, json, os, re, shutil, signal, statistics, subprocess, sys, tempfile, time, uuid

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
AOT = os.path.join(ROOT, "samples/FileProcessing.Worker/bin/Release/net10.0/linux-x64/publish/FileProcessing.Worker")
JIT = os.path.join(ROOT, "samples/FileProcessing.Worker/bin/Release/net10.0/FileProcessing.Worker.dll")
FLOW = os.path.join(ROOT, "src/Flow.Cli/bin/Release/net10.0/Flow.Cli.dll")
INPUT = os.path.join(ROOT, "samples/FileProcessing/input/durable-workflows.txt")


def read_line(stream, predicate, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = stream.readline()
        if not line:
            raise RuntimeError("process ended before the expected line")
        if predicate(line):
            return line
    raise RuntimeError("timed out waiting for a line")


def one_run(command, executions, work, url):
    worker = None
    try:
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}  # the worker uses its dummy credentials
        # The AOT binary has its gen-0 budget compiled in (see the .csproj); the JIT worker gets the same one here.
        env.setdefault("DOTNET_GCgen0size", "80000")
        started = time.perf_counter()
        worker = subprocess.Popen(["/usr/bin/time", "-v"] + command + ["--endpoint", url],
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
        first = read_line(worker.stdout, lambda l: l.startswith("first poll"), 60)
        to_first_poll = (time.perf_counter() - started) * 1000
        internal = float(re.search(r"\) ([0-9.]+) ms", first).group(1))
        # Both pollers print " polling " once registered; it may come before or after the first poll line.
        time.sleep(0.5)

        import boto3
        swf = boto3.client("swf", endpoint_url=url, region_name="us-east-1",
                           aws_access_key_id="flow", aws_secret_access_key="flow")
        ids = []
        tag = uuid.uuid4().hex[:8]
        for i in range(executions):
            wid = f"measure-{uuid.uuid4().hex[:8]}"
            job = {"source": INPUT, "bucket": os.path.join(work, "bucket", wid), "workFolder": os.path.join(work, "work", wid), "timeoutSeconds": 600}
            swf.start_workflow_execution(domain="flow-samples", workflowId=wid, workflowType={"name": "FileProcessing.Run", "version": "1.0"},
                                         input=json.dumps([job]), tagList=[tag])
            ids.append(wid)
        deadline = time.monotonic() + 300
        while True:
            closed = swf.count_closed_workflow_executions(domain="flow-samples", startTimeFilter={"oldestDate": 0},
                                                          tagFilter={"tag": tag})["count"]
            if closed >= executions:
                break
            if time.monotonic() > deadline:
                raise RuntimeError(f"only {closed} of {executions} executions completed")
            time.sleep(0.05)
        # SIGTERM goes to the worker itself (/usr/bin/time would die of it without reporting): graceful shutdown.
        with open(f"/proc/{worker.pid}/task/{worker.pid}/children") as f:
            os.kill(int(f.read().split()[0]), signal.SIGTERM)
        out, err = worker.communicate(timeout=60)
        rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", err).group(1)) / 1024  # MiB
        cpu = sum(float(re.search(r"%s time \(seconds\): ([0-9.]+)" % kind, err).group(1)) for kind in ("User", "System")) * 1000
        return to_first_poll, internal, rss, cpu
    finally:
        for p in (worker,):
            if p and p.poll() is None:
                p.kill()
                p.wait()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--executions", type=int, default=20)
    ap.add_argument("--modes", default="aot,jit")
    args = ap.parse_args()
    work = tempfile.mkdtemp(prefix="flow-measure-")
    results = {}
    try:
        for name, command in (("aot", [AOT]), ("jit", ["dotnet", JIT])):
            if name not in args.modes.split(","):
                continue
            rows = []
            # One flow dev per mode, warmed by a discarded run, so the server's own start-up is not in the figures.
            dev = subprocess.Popen(["dotnet", FLOW, "dev", "--port", "0", "--memory"], stdout=subprocess.PIPE, text=True)
            try:
                url = read_line(dev.stdout, lambda l: l.startswith("http://"), 60).strip()
                one_run(command, args.executions, work, url)
                for i in range(args.runs):
                    rows.append(one_run(command, args.executions, work, url))
                    print(f"{name} run {i + 1}: first poll {rows[-1][0]:.1f} ms after spawn ({rows[-1][1]:.1f} ms after Main), peak RSS {rows[-1][2]:.1f} MiB ({rows[-1][2] * 1.048576:.1f} MB), CPU {rows[-1][3]:.0f} ms", flush=True)
            finally:
                dev.kill()
                dev.wait()
            results[name] = [statistics.median(r[k] for r in rows) for k in range(4)]
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if len(results) < 2:
        return 0
    a, j = results["aot"], results["jit"]
    print(f"AOT binary: {os.path.getsize(AOT) / 1e6:.2f} MB ({os.path.getsize(AOT)} bytes)")
    print(f"median first poll after spawn: AOT {a[0]:.1f} ms, JIT {j[0]:.1f} ms, JIT/AOT {j[0] / a[0]:.1f}x")
    print(f"median first poll after Main:  AOT {a[1]:.1f} ms, JIT {j[1]:.1f} ms")
    print(f"median peak RSS ({args.executions} executions): AOT {a[2]:.1f} MiB ({a[2] * 1.048576:.1f} MB), JIT {j[2]:.1f} MiB, JIT/AOT {j[2] / a[2]:.1f}x")
    print(f"median worker CPU (start to exit):  AOT {a[3]:.0f} ms, JIT {j[3]:.0f} ms, JIT/AOT {j[3] / a[3]:.1f}x")


if __name__ == "__main__":
    sys.exit(main())
