#!/usr/bin/env python3
"""Start-up time, peak RSS and size of FileProcessing.Worker, Native AOT against JIT, on the same workload.

Per run: start `flow dev --memory`, start the worker under /usr/bin/time -v, time from spawning it to its
"first poll" line, run N executions of the file-processing workflow (started with boto3) until all have closed,
check they all completed, SIGTERM the worker, read its peak RSS. Prints per-run figures, medians, ratios, the
sizes (the AOT binary; the JIT worker's framework-dependent publish folder) and the issue's targets for the AOT
worker (at most 25 ms from spawn to the first poll, at most 35 MB peak RSS; MB = 10^6 bytes) with pass or miss.

  python3 samples/FileProcessing.Worker/measure.py --runs 5 --executions 20
(after `dotnet build src/Flow.Cli -c Release`, `dotnet build samples/FileProcessing.Worker -c Release`,
`dotnet publish samples/FileProcessing.Worker -c Release` (the JIT size) and
`dotnet publish samples/FileProcessing.Worker -c Release -r linux-x64 -p:PublishAot=true`); `--modes jit` checks
the script without the AOT publish.
"""
import argparse, json, os, queue, re, shutil, signal, statistics, subprocess, sys, tempfile, threading, time, uuid

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
AOT = os.path.join(ROOT, "samples/FileProcessing.Worker/bin/Release/net10.0/linux-x64/publish/FileProcessing.Worker")
JIT = os.path.join(ROOT, "samples/FileProcessing.Worker/bin/Release/net10.0/FileProcessing.Worker.dll")
JIT_PUBLISH = os.path.join(ROOT, "samples/FileProcessing.Worker/bin/Release/net10.0/publish")
FLOW = os.path.join(ROOT, "src/Flow.Cli/bin/Release/net10.0/Flow.Cli.dll")
INPUT = os.path.join(ROOT, "samples/FileProcessing/input/durable-workflows.txt")

TARGET_FIRST_POLL_MS = 25
TARGET_PEAK_RSS_MB = 35


class Lines:
    """Reads a process's stream on a thread of its own, so a wait for a line can time out (readline blocks) and the
    process never stalls on a full pipe while nobody reads it."""

    def __init__(self, stream):
        self._queue = queue.Queue()
        self.all = []
        self._thread = threading.Thread(target=self._read, args=(stream,), daemon=True)
        self._thread.start()

    def _read(self, stream):
        for line in stream:
            self.all.append(line)
            self._queue.put(line)
        self._queue.put(None)

    def wait_for(self, predicate, timeout, what):
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise RuntimeError(f"timed out after {timeout} s waiting for {what}")
            try:
                line = self._queue.get(timeout=remaining)
            except queue.Empty:
                continue
            if line is None:
                raise RuntimeError(f"the process ended before {what}")
            if predicate(line):
                return line

    def join(self, timeout):
        self._thread.join(timeout)
        return "".join(self.all)


def wait_closed(swf, tag, executions, timeout):
    """Waits until the run's executions have all closed, then checks that every one completed."""
    deadline = time.monotonic() + timeout
    while True:
        closed = swf.count_closed_workflow_executions(domain="flow-samples", startTimeFilter={"oldestDate": 0},
                                                      tagFilter={"tag": tag})["count"]
        if closed >= executions:
            break
        if time.monotonic() > deadline:
            raise RuntimeError(f"only {closed} of {executions} executions closed within {timeout} s")
        time.sleep(0.05)
    # SWF takes one filter at a time (tag or close status): list the tagged ones and read their status.
    statuses, token = {}, None
    while True:
        page = swf.list_closed_workflow_executions(domain="flow-samples", startTimeFilter={"oldestDate": 0},
                                                   tagFilter={"tag": tag}, **({"nextPageToken": token} if token else {}))
        for info in page["executionInfos"]:
            statuses[info["execution"]["workflowId"]] = info["closeStatus"]
        token = page.get("nextPageToken")
        if not token:
            break
    failed = {wid: status for wid, status in statuses.items() if status != "COMPLETED"}
    if failed:
        raise RuntimeError(f"{len(failed)} of {executions} executions did not complete: " +
                           ", ".join(f"{wid} {status}" for wid, status in sorted(failed.items())))


def one_run(command, executions, work, url):
    worker = None
    try:
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}  # the worker uses its dummy credentials
        # The AOT binary has its gen-0 budget compiled in (see the .csproj); the JIT worker gets the same one here.
        env.setdefault("DOTNET_GCgen0size", "80000")
        started = time.perf_counter()
        worker = subprocess.Popen(["/usr/bin/time", "-v"] + command + ["--endpoint", url],
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
        out, err = Lines(worker.stdout), Lines(worker.stderr)
        first = out.wait_for(lambda l: l.startswith("first poll"), 60, "the worker's first poll")
        to_first_poll = (time.perf_counter() - started) * 1000
        internal = float(re.search(r"\) ([0-9.]+) ms", first).group(1))
        # Both pollers print " polling " once registered; it may come before or after the first poll line.
        time.sleep(0.5)

        import boto3
        swf = boto3.client("swf", endpoint_url=url, region_name="us-east-1",
                           aws_access_key_id="flow", aws_secret_access_key="flow")
        tag = uuid.uuid4().hex[:8]
        for i in range(executions):
            wid = f"measure-{uuid.uuid4().hex[:8]}"
            job = {"source": INPUT, "bucket": os.path.join(work, "bucket", wid), "workFolder": os.path.join(work, "work", wid), "timeoutSeconds": 600}
            swf.start_workflow_execution(domain="flow-samples", workflowId=wid, workflowType={"name": "FileProcessing.Run", "version": "1.0"},
                                         input=json.dumps([job]), tagList=[tag])
        wait_closed(swf, tag, executions, 300)
        # SIGTERM goes to the worker itself (/usr/bin/time would die of it without reporting): graceful shutdown.
        with open(f"/proc/{worker.pid}/task/{worker.pid}/children") as f:
            os.kill(int(f.read().split()[0]), signal.SIGTERM)
        worker.wait(timeout=60)
        out.join(10)
        report = err.join(10)
        rss_mb = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", report).group(1)) * 1024 / 1e6
        cpu = sum(float(re.search(r"%s time \(seconds\): ([0-9.]+)" % kind, report).group(1)) for kind in ("User", "System")) * 1000
        return to_first_poll, internal, rss_mb, cpu
    finally:
        if worker and worker.poll() is None:
            worker.kill()
            worker.wait()


def folder_size(path):
    total, files = 0, 0
    for folder, _, names in os.walk(path):
        for name in names:
            total += os.path.getsize(os.path.join(folder, name))
            files += 1
    return total, files


def verdict(value, target):
    return "pass" if value <= target else "MISS"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--executions", type=int, default=20)
    ap.add_argument("--modes", default="aot,jit")
    args = ap.parse_args()
    modes = args.modes.split(",")
    work = tempfile.mkdtemp(prefix="flow-measure-")
    results = {}
    try:
        for name, command in (("aot", [AOT]), ("jit", ["dotnet", JIT])):
            if name not in modes:
                continue
            rows = []
            # One flow dev per mode, warmed by a discarded run, so the server's own start-up is not in the figures.
            dev = subprocess.Popen(["dotnet", FLOW, "dev", "--port", "0", "--memory"], stdout=subprocess.PIPE, text=True)
            try:
                url = Lines(dev.stdout).wait_for(lambda l: l.startswith("http://"), 60, "flow dev's address").strip()
                one_run(command, args.executions, work, url)
                for i in range(args.runs):
                    rows.append(one_run(command, args.executions, work, url))
                    print(f"{name} run {i + 1}: first poll {rows[-1][0]:.1f} ms after spawn ({rows[-1][1]:.1f} ms after Main), "
                          f"peak RSS {rows[-1][2]:.1f} MB, CPU {rows[-1][3]:.0f} ms", flush=True)
            finally:
                dev.kill()
                dev.wait()
            results[name] = [statistics.median(r[k] for r in rows) for k in range(4)]
    finally:
        shutil.rmtree(work, ignore_errors=True)

    if "aot" in modes and os.path.exists(AOT):
        print(f"AOT binary: {os.path.getsize(AOT) / 1e6:.2f} MB ({os.path.getsize(AOT)} bytes), self-contained")
    if "jit" in modes:
        if os.path.isdir(JIT_PUBLISH):
            size, files = folder_size(JIT_PUBLISH)
            print(f"JIT publish folder: {size / 1e6:.2f} MB ({size} bytes, {files} files), framework-dependent: "
                  "it also needs the .NET runtime installed")
        else:
            print(f"JIT publish folder: missing ({JIT_PUBLISH}); run `dotnet publish samples/FileProcessing.Worker -c Release`")
    for name, r in results.items():
        print(f"median {name.upper()} ({args.executions} executions): first poll {r[0]:.1f} ms after spawn ({r[1]:.1f} ms after Main), "
              f"peak RSS {r[2]:.1f} MB, worker CPU {r[3]:.0f} ms")
    if len(results) == 2:
        a, j = results["aot"], results["jit"]
        print(f"JIT/AOT: first poll {j[0] / a[0]:.1f}x, peak RSS {j[2] / a[2]:.1f}x, worker CPU {j[3] / a[3]:.1f}x")
    if "aot" in results:
        a = results["aot"]
        print(f"target, AOT first poll <= {TARGET_FIRST_POLL_MS} ms after spawn: {a[0]:.1f} ms, {verdict(a[0], TARGET_FIRST_POLL_MS)}")
        print(f"target, AOT peak RSS <= {TARGET_PEAK_RSS_MB} MB: {a[2]:.1f} MB, {verdict(a[2], TARGET_PEAK_RSS_MB)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
