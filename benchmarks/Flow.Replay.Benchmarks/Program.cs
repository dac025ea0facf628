using System.Diagnostics;
using BenchmarkDotNet.Running;
using Flow.Replay.Benchmarks;

// `--quick`: stopwatch figures (events/s wall and per CPU-second of the process, bytes/event on all threads) without BenchmarkDotNet's harness,
// for a smoke check; anything else goes to BenchmarkDotNet, e.g. `--filter * --job short --inProcess` (the in-process
// toolchain: the out-of-process one failed to build its generated project here, not investigated yet).
// `--alloc`: which types the read and the replay allocate, from the runtime's allocation samples (about one per 100 KB).
if (args is ["--alloc"])
{
    var json = ReplayBenchmarks.HistoryJson(ReplayBenchmarks.Activities);
    var parsed = ReplayBenchmarks.Read(json);
    for (var i = 0; i < 60; i++) ReplayBenchmarks.Replay(ReplayBenchmarks.Read(json));
    using var listener = new AllocationListener();
    for (var i = 0; i < 200; i++) ReplayBenchmarks.Read(json);
    listener.Print("read");
    for (var i = 0; i < 200; i++) ReplayBenchmarks.Replay(parsed);
    listener.Print("replay");
    return;
}
if (args is ["--quick"])
{
    var json = ReplayBenchmarks.HistoryJson(ReplayBenchmarks.Activities);
    var events = ReplayBenchmarks.Parse(json).Events.Count;
    Measure("read + replay", () => ReplayBenchmarks.Replay(ReplayBenchmarks.Read(json)));
    Measure("read only", () => ReplayBenchmarks.Read(json));
    Measure("STJ parse + replay", () => ReplayBenchmarks.Replay(ReplayBenchmarks.Parse(json)));
    var parsed = ReplayBenchmarks.Parse(json);
    Measure("replay only", () => ReplayBenchmarks.Replay(parsed));
    var bench = new ReplayBenchmarks();
    bench.Setup();
    Measure("Utf8JsonReader only", () => bench.ReadTokens());
    events = TemporalPeer.Events;
    Measure("Temporal json+replay", () => bench.TemporalParseAndReplay().GetAwaiter().GetResult(), rounds: 5);
    Measure("Temporal replay", () => bench.TemporalReplay().GetAwaiter().GetResult(), rounds: 5);
    events = DurableTaskPeer.Events;
    Measure("DurableTask json+replay", () => bench.DurableParseAndReplay(), rounds: 10);
    Measure("DurableTask replay", () => bench.DurableReplay(), rounds: 10);
    return;

    void Measure(string name, Action action, int rounds = 50)
    {
        for (var i = 0; i < Math.Min(60, rounds * 2); i++) action(); // past tiered JIT
        var bytes = GC.GetTotalAllocatedBytes(precise: true);
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var watch = Stopwatch.StartNew();
        for (var i = 0; i < rounds; i++) action();
        var seconds = watch.Elapsed.TotalSeconds;
        var cpuSeconds = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds;
        Console.WriteLine($"{name,-22} {events * rounds / seconds,12:N0} events/s  {events * rounds / cpuSeconds,12:N0} events/s/cpu  " +
                          $"{(GC.GetTotalAllocatedBytes(precise: true) - bytes) / (double)(events * rounds),8:N0} B/event  ({events} events)");
    }
}

BenchmarkSwitcher.FromAssembly(typeof(ReplayBenchmarks).Assembly).Run(args);

/// <summary>Sums the runtime's GCAllocationTick samples by type.</summary>
internal sealed class AllocationListener : System.Diagnostics.Tracing.EventListener
{
    private readonly Dictionary<string, long> _bytes = [];

    protected override void OnEventSourceCreated(System.Diagnostics.Tracing.EventSource source)
    {
        if (source.Name == "Microsoft-Windows-DotNETRuntime")
            EnableEvents(source, System.Diagnostics.Tracing.EventLevel.Verbose, (System.Diagnostics.Tracing.EventKeywords)0x1); // GC
    }

    protected override void OnEventWritten(System.Diagnostics.Tracing.EventWrittenEventArgs e)
    {
        if (e.EventName?.StartsWith("GCAllocationTick", StringComparison.Ordinal) != true || e.Payload is not { } payload || e.PayloadNames is not { } names)
            return;
        var type = payload[names.IndexOf("TypeName")] as string ?? "?";
        var amount = Convert.ToInt64(payload[names.IndexOf("AllocationAmount64")], System.Globalization.CultureInfo.InvariantCulture);
        lock (_bytes) _bytes[type] = _bytes.GetValueOrDefault(type) + amount;
    }

    public void Print(string title)
    {
        lock (_bytes)
        {
            var total = Math.Max(1, _bytes.Values.Sum());
            Console.WriteLine($"{title}: {total / 1e6:N1} MB sampled");
            foreach (var (type, bytes) in _bytes.OrderByDescending(x => x.Value).Take(12))
                Console.WriteLine($"{bytes * 100.0 / total,6:N1}%  {type}");
            _bytes.Clear();
        }
    }
}
