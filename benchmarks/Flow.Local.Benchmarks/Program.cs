using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Amazon.Runtime;
using Flow.Swf;

// End-to-end driver: N workflows of 3 sequential activities each, over HTTP on loopback, against
// `flow dev --db FILE` (SQLite), `flow dev --memory` and moto_server, one after another in one run.
// Starts go through Flow's wire client (SwfClient); deciders and activity workers are raw ISwfClient
// poll loops (no replay engine), so the figures are the service's and the wire's, not the runtime's.

var options = DriverOptions.Parse(args);
var results = new List<TargetResult>();
foreach (var target in options.Targets)
{
    Console.Error.WriteLine($"[{DateTime.UtcNow:HH:mm:ss}] {target}: starting server");
    await using var server = await Server.StartAsync(target, options);
    bool moto = target == "moto";
    int count = moto ? options.MotoWorkflows : options.Workflows;
    // moto answers polls at once, runs requests one at a time, and hands one task to two concurrent
    // pollers now and then (its workflows then stall): fewer pollers and fewer open workflows there.
    var driver = new Driver(server.Url, moto ? options with { Deciders = options.MotoPollers, Workers = options.MotoPollers, InFlight = options.MotoInFlight } : options, moto);
    await driver.SetUpAsync();
    // flow dev's JIT (tiered, with dynamic PGO) takes several seconds of load to settle: warm-up rounds of 1,000
    // workflows for --warmup-seconds (the first measured rounds were ~40 % slower after 800). moto: one short round.
    var warmup = Stopwatch.StartNew();
    do
        await driver.RunAsync(moto ? count / 5 : 1000, TimeSpan.FromSeconds(options.TimeLimitSeconds), server);
    while (!moto && warmup.Elapsed < TimeSpan.FromSeconds(options.WarmupSeconds));
    var rounds = new List<TargetResult>();
    for (int i = 0; i < (moto ? 1 : options.Repeat); i++)
    {
        var r = await driver.RunAsync(count, TimeSpan.FromSeconds(options.TimeLimitSeconds), server);
        Console.Error.WriteLine($"[{DateTime.UtcNow:HH:mm:ss}] {target} round {i + 1}: {r.Format(target)}");
        rounds.Add(r);
    }
    await driver.StopAsync();
    // The round with the median throughput stands for the target.
    results.Add(rounds.OrderBy(r => r.PerSecond).ElementAt(rounds.Count / 2) with { Name = target });
}

Console.WriteLine();
Console.WriteLine($"{options.Workflows} workflows (moto: {options.MotoWorkflows}) x 3 activities, {options.InFlight} in flight, "
    + $"{options.Deciders} decider + {options.Workers} activity pollers, median of {options.Repeat} round(s); "
    + $"moto: {options.MotoInFlight} in flight, {options.MotoPollers} + {options.MotoPollers} pollers, 1 round; {Environment.ProcessorCount} cores");
Console.WriteLine(TargetResult.Header);
foreach (var r in results)
    Console.WriteLine(r.Format(r.Name));

internal sealed record DriverOptions
{
    public List<string> Targets { get; init; } = ["sqlite", "memory", "moto"];
    public int Workflows { get; init; } = 2000;
    public int MotoWorkflows { get; init; } = 100;
    public int WarmupSeconds { get; init; } = 15;
    public int InFlight { get; init; } = 64;
    // One poller of each kind per workflow in flight: a poller waits a round trip for each task, so with fewer of them
    // tasks queue for pollers while the server idles (8 + 8 left the CPUs 19 % idle at about 620 wf/s).
    public int Deciders { get; init; } = 64;
    public int Workers { get; init; } = 64;
    public int Repeat { get; init; } = 3;
    public int TimeLimitSeconds { get; init; } = 120;
    public int MotoPollers { get; init; } = 1;
    public int MotoInFlight { get; init; } = 8;
    public string? Flow { get; init; }
    public List<(string Name, string Value)> ServerEnvironment { get; init; } = [];

    public static DriverOptions Parse(string[] args)
    {
        var o = new DriverOptions();
        for (int i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            int Int() => int.Parse(Next(), CultureInfo.InvariantCulture);
            o = args[i] switch
            {
                "--targets" => o with { Targets = [.. Next().Split(',', StringSplitOptions.RemoveEmptyEntries)] },
                "--workflows" => o with { Workflows = Int() },
                "--moto-workflows" => o with { MotoWorkflows = Int() },
                "--warmup-seconds" => o with { WarmupSeconds = Int() },
                "--in-flight" => o with { InFlight = Int() },
                "--deciders" => o with { Deciders = Int() },
                "--workers" => o with { Workers = Int() },
                "--repeat" => o with { Repeat = Int() },
                "--time-limit" => o with { TimeLimitSeconds = Int() },
                "--flow" => o with { Flow = Next() },
                "--server-env" => o with { ServerEnvironment = [.. o.ServerEnvironment, Variable(Next())] },
                "--moto-pollers" => o with { MotoPollers = Int() },
                "--moto-in-flight" => o with { MotoInFlight = Int() },
                _ => throw new ArgumentException($"unknown option {args[i]}; see README.md"),
            };
        }
        return o;
    }

    private static (string, string) Variable(string text) => text.IndexOf('=') is > 0 and var at
        ? (text[..at], text[(at + 1)..])
        : throw new ArgumentException($"--server-env takes NAME=VALUE, not {text}");
}

internal sealed record TargetResult(int Completed, int Asked, TimeSpan Elapsed, double P50Ms, double P99Ms, long Requests, long EmptyPolls,
    double ServerCpuMs, double DriverCpuMs, string Name = "")
{
    public double PerSecond => Completed / Elapsed.TotalSeconds;

    public const string Header =
        "| target | workflows | wall s | workflows/s | p50 ms | p99 ms | requests/wf | empty polls/wf | server CPU ms/wf | driver CPU ms/wf |\n"
        + "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|";

    public string Format(string name) => string.Create(CultureInfo.InvariantCulture,
        $"| {name} | {Completed}{(Completed < Asked ? $" of {Asked} (time limit)" : "")} | {Elapsed.TotalSeconds:F2} | {PerSecond:F0} | {P50Ms:F1} | {P99Ms:F1} | "
        + $"{(double)Requests / Math.Max(1, Completed):F1} | {(double)EmptyPolls / Math.Max(1, Completed):F2} | {ServerCpuMs / Math.Max(1, Completed):F2} | {DriverCpuMs / Math.Max(1, Completed):F2} |");
}

/// <summary>A server process on a loopback port, stopped (and its files removed) on dispose.</summary>
internal sealed class Server : IAsyncDisposable
{
    readonly Process _process;
    readonly string? _dir;

    Server(Process process, Uri url, string? dir)
    {
        _process = process;
        Url = url;
        _dir = dir;
    }

    public Uri Url { get; }

    /// <summary>CPU time the server process has used so far (user + system), from /proc.</summary>
    public TimeSpan Cpu
    {
        get
        {
            _process.Refresh();
            return _process.TotalProcessorTime;
        }
    }

    public static async Task<Server> StartAsync(string target, DriverOptions options)
    {
        if (target == "moto")
        {
            int port = FreePort();
            var psi = new ProcessStartInfo("moto_server") { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var a in new[] { "-H", "127.0.0.1", "-p", port.ToString(CultureInfo.InvariantCulture) })
                psi.ArgumentList.Add(a);
            var p = Process.Start(psi) ?? throw new InvalidOperationException("moto_server did not start");
            p.OutputDataReceived += (_, _) => { };
            p.ErrorDataReceived += (_, _) => { };
            p.BeginOutputReadLine();
            p.BeginErrorReadLine();
            var url = new Uri($"http://127.0.0.1:{port}/");
            using var http = new HttpClient();
            for (var sw = Stopwatch.StartNew(); ; await Task.Delay(100))
            {
                try
                {
                    await http.GetAsync(url);
                    break;
                }
                catch (HttpRequestException) when (sw.Elapsed < TimeSpan.FromSeconds(30) && !p.HasExited)
                {
                }
            }
            return new Server(p, url, null);
        }

        string flow = options.Flow ?? Path.Combine(RepoRoot(), "src", "Flow.Cli", "bin", "Release", "net10.0", "Flow.Cli.dll");
        if (!File.Exists(flow))
            throw new FileNotFoundException($"Build flow first: dotnet build src/Flow.Cli -c Release ({flow} is missing)");
        string? dir = null;
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        foreach (var a in new[] { flow, "dev", "--port", "0" })
            start.ArgumentList.Add(a);
        foreach (var (name, value) in options.ServerEnvironment)
            start.Environment[name] = value;
        if (target == "sqlite")
        {
            dir = Directory.CreateTempSubdirectory("flow-bench-").FullName;
            start.ArgumentList.Add("--db");
            start.ArgumentList.Add(Path.Combine(dir, "flow.db"));
        }
        else
            start.ArgumentList.Add("--memory");
        var process = Process.Start(start) ?? throw new InvalidOperationException("flow dev did not start");
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) Console.Error.WriteLine($"  flow dev: {e.Data}"); };
        process.BeginErrorReadLine();
        while (await process.StandardOutput.ReadLineAsync() is { } line)
        {
            int at = line.IndexOf("http://", StringComparison.Ordinal);
            if (at >= 0)
            {
                var url = new Uri(line[at..].Split(' ')[0]);
                _ = process.StandardOutput.ReadToEndAsync();
                return new Server(process, url, dir);
            }
        }
        throw new InvalidOperationException("flow dev exited before printing its URL");
    }

    static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }

    static string RepoRoot()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "Flow.sln")))
                return d.FullName;
        return Directory.GetCurrentDirectory();
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
        if (_dir is not null)
            Directory.Delete(_dir, recursive: true);
    }
}

/// <summary>Starts workflows (at most InFlight open at once) and runs the poll loops that finish them.</summary>
internal sealed class Driver
{
    const string Domain = "bench";
    const string TaskList = "bench";
    readonly SwfClient _client;
    readonly DriverOptions _options;
    readonly bool _shortPolls;
    readonly CancellationTokenSource _stop = new();
    readonly List<Task> _pollers = [];
    readonly Dictionary<string, long> _startedAt = [];
    readonly object _gate = new();
    Round? _round;
    long _requests, _empty;

    public Driver(Uri url, DriverOptions options, bool shortPolls)
    {
        _options = options;
        _shortPolls = shortPolls;
        _client = new SwfClient(new SwfClientOptions
        {
            ServiceUrl = url,
            Region = "us-east-1",
            Credentials = new BasicAWSCredentials("AKIDBENCH", "bench-secret"),
            RequestTimeout = TimeSpan.FromSeconds(30),
        });
    }

    sealed class Round(int count)
    {
        public readonly TaskCompletionSource Done = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public readonly List<double> LatenciesMs = new(count);
        public readonly int Count = count;
    }

    public async Task SetUpAsync()
    {
        await Tolerate(() => _client.RegisterDomainAsync(new RegisterDomainInput { Name = Domain, WorkflowExecutionRetentionPeriodInDays = "1" }));
        await Tolerate(() => _client.RegisterWorkflowTypeAsync(new RegisterWorkflowTypeInput
        {
            Domain = Domain, Name = "ThreeSteps", Version = "1", DefaultTaskList = new TaskList { Name = TaskList },
            DefaultTaskStartToCloseTimeout = "60", DefaultExecutionStartToCloseTimeout = "3600", DefaultChildPolicy = ChildPolicy.Terminate,
        }));
        await Tolerate(() => _client.RegisterActivityTypeAsync(new RegisterActivityTypeInput
        {
            Domain = Domain, Name = "Step", Version = "1", DefaultTaskList = new TaskList { Name = TaskList },
            DefaultTaskStartToCloseTimeout = "60", DefaultTaskScheduleToStartTimeout = "600", DefaultTaskScheduleToCloseTimeout = "660",
            DefaultTaskHeartbeatTimeout = "NONE",
        }));
        for (int i = 0; i < _options.Deciders; i++)
            _pollers.Add(Task.Run(DecideAsync));
        for (int i = 0; i < _options.Workers; i++)
            _pollers.Add(Task.Run(WorkAsync));
    }

    static async Task Tolerate(Func<Task> call)
    {
        try
        {
            await call();
        }
        catch (SwfException e) when (e is DomainAlreadyExistsException or TypeAlreadyExistsException)
        {
        }
    }

    public async Task<TargetResult> RunAsync(int count, TimeSpan limit, Server server)
    {
        var round = new Round(count);
        lock (_gate)
            _round = round;
        Interlocked.Exchange(ref _requests, 0);
        Interlocked.Exchange(ref _empty, 0);
        var slots = new SemaphoreSlim(_options.InFlight);
        var serverCpu = server.Cpu;
        var driverCpu = Process.GetCurrentProcess().TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        using var deadline = new CancellationTokenSource(limit);
        var prefix = Guid.NewGuid().ToString("N")[..8];
        _released = slots;
        var starter = Task.Run(async () =>
        {
            for (int i = 0; i < count && !deadline.IsCancellationRequested; i++)
            {
                await slots.WaitAsync(deadline.Token);
                string id = $"{prefix}-{i}";
                lock (_gate)
                    _startedAt[id] = Stopwatch.GetTimestamp();
                _ = StartAsync(id, slots);
            }
        });
        await Task.WhenAny(round.Done.Task, Task.Delay(Timeout.Infinite, deadline.Token).ContinueWith(_ => { }, TaskScheduler.Default));
        clock.Stop();
        var elapsed = clock.Elapsed;
        var serverUsed = server.Cpu - serverCpu;
        var driverUsed = Process.GetCurrentProcess().TotalProcessorTime - driverCpu;
        await deadline.CancelAsync();
        try { await starter; } catch (OperationCanceledException) { }
        List<double> lat;
        lock (_gate)
        {
            _round = null;
            lat = [.. round.LatenciesMs];
            _startedAt.Clear();
        }
        lat.Sort();
        double P(double q) => lat.Count == 0 ? double.NaN : lat[Math.Min(lat.Count - 1, (int)Math.Ceiling(q * lat.Count) - 1)];
        return new TargetResult(lat.Count, count, elapsed, P(0.50), P(0.99), Interlocked.Read(ref _requests), Interlocked.Read(ref _empty),
            serverUsed.TotalMilliseconds, driverUsed.TotalMilliseconds);
    }

    SemaphoreSlim? _released;

    async Task StartAsync(string id, SemaphoreSlim slots)
    {
        try
        {
            Interlocked.Increment(ref _requests);
            await _client.StartWorkflowExecutionAsync(new StartWorkflowExecutionInput
            {
                Domain = Domain, WorkflowId = id, WorkflowType = new WorkflowType { Name = "ThreeSteps", Version = "1" },
                TaskList = new TaskList { Name = TaskList }, Input = "\"go\"", ExecutionStartToCloseTimeout = "3600",
                TaskStartToCloseTimeout = "60", ChildPolicy = ChildPolicy.Terminate,
            });
        }
        catch (Exception e)
        {
            Console.Error.WriteLine($"  start {id}: {e.Message}");
            slots.Release();
        }
    }

    async Task DecideAsync()
    {
        var poll = new PollForDecisionTaskInput { Domain = Domain, TaskList = new TaskList { Name = TaskList }, Identity = "decider" };
        while (!_stop.IsCancellationRequested)
        {
            DecisionTask task;
            try
            {
                Interlocked.Increment(ref _requests);
                task = await _client.PollForDecisionTaskAsync(poll, _stop.Token);
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
                return;
            }
            if (string.IsNullOrEmpty(task.TaskToken))
            {
                await EmptyAsync();
                continue;
            }
            // History fits one page (about 20 events); a page token would mean something is off.
            int done = 0;
            foreach (var e in task.Events)
                if (e.EventType == EventType.ActivityTaskCompleted)
                    done++;
            var decision = done < 3
                ? new Decision
                {
                    DecisionType = DecisionType.ScheduleActivityTask,
                    ScheduleActivityTaskDecisionAttributes = new ScheduleActivityTaskDecisionAttributes
                    {
                        ActivityType = new ActivityType { Name = "Step", Version = "1" }, ActivityId = $"step-{done}",
                        TaskList = new TaskList { Name = TaskList }, Input = done.ToString(CultureInfo.InvariantCulture),
                        ScheduleToStartTimeout = "600", StartToCloseTimeout = "60", ScheduleToCloseTimeout = "660", HeartbeatTimeout = "NONE",
                    },
                }
                : new Decision
                {
                    DecisionType = DecisionType.CompleteWorkflowExecution,
                    CompleteWorkflowExecutionDecisionAttributes = new CompleteWorkflowExecutionDecisionAttributes { Result = "\"done\"" },
                };
            try
            {
                Interlocked.Increment(ref _requests);
                await _client.RespondDecisionTaskCompletedAsync(new RespondDecisionTaskCompletedInput { TaskToken = task.TaskToken, Decisions = [decision] });
            }
            catch (SwfException e)
            {
                Console.Error.WriteLine($"  decide {task.WorkflowExecution.WorkflowId}: {e.Message}");
                continue;
            }
            if (done >= 3)
                Closed(task.WorkflowExecution.WorkflowId);
        }
    }

    void Closed(string workflowId)
    {
        long now = Stopwatch.GetTimestamp();
        lock (_gate)
        {
            if (_round is not { } round || !_startedAt.Remove(workflowId, out long at))
                return;
            round.LatenciesMs.Add(Stopwatch.GetElapsedTime(at, now).TotalMilliseconds);
            if (round.LatenciesMs.Count == round.Count)
                round.Done.TrySetResult();
        }
        _released?.Release();
    }

    async Task WorkAsync()
    {
        var poll = new PollForActivityTaskInput { Domain = Domain, TaskList = new TaskList { Name = TaskList }, Identity = "worker" };
        while (!_stop.IsCancellationRequested)
        {
            ActivityTask task;
            try
            {
                Interlocked.Increment(ref _requests);
                task = await _client.PollForActivityTaskAsync(poll, _stop.Token);
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
                return;
            }
            if (string.IsNullOrEmpty(task.TaskToken))
            {
                await EmptyAsync();
                continue;
            }
            try
            {
                Interlocked.Increment(ref _requests);
                await _client.RespondActivityTaskCompletedAsync(new RespondActivityTaskCompletedInput { TaskToken = task.TaskToken, Result = task.Input });
            }
            catch (SwfException e)
            {
                Console.Error.WriteLine($"  activity {task.WorkflowExecution.WorkflowId}: {e.Message}");
            }
        }
    }

    /// <summary>An empty poll: SWF's long poll ran out, or (moto) there is no long poll at all. Ask again,
    /// after a short pause on a server that answers at once, so idle pollers don't spin.</summary>
    async Task EmptyAsync()
    {
        Interlocked.Increment(ref _empty);
        if (_shortPolls)
        {
            try { await Task.Delay(5, _stop.Token); } catch (OperationCanceledException) { }
        }
    }

    public async Task StopAsync()
    {
        await _stop.CancelAsync();
        try { await Task.WhenAll(_pollers); } catch (OperationCanceledException) { }
        _client.Dispose();
    }
}
