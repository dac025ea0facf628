using System.Diagnostics;
using BenchmarkDotNet.Running;
using Flow.Replay.Benchmarks;

// `--quick`: stopwatch figures (events/s wall and per CPU-second of the process, bytes/event on all threads) without BenchmarkDotNet's harness,
// for a smoke check; anything else goes to BenchmarkDotNet, e.g. `--filter * --job short --inProcess` (the in-process
// toolchain: the out-of-process one failed to build its generated project here, not investigated yet).
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
