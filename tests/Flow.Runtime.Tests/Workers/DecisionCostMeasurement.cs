using System.Diagnostics.Metrics;
using System.Globalization;

namespace Flow.Runtime.Tests.Workers;

/// <summary>
/// The decision cache's reason to exist, measured: one workflow grows to about 5,000 events, and the time of each
/// decision task (flow.task.duration) is averaged per 100 decisions, with the cache and without. Explicit: it prints a
/// curve for the note rather than checking a machine-dependent number; the check is only that with the cache
/// the late decisions cost no more than a small multiple of the early ones.
/// </summary>
[TestFixture, Explicit("measurement"), Category("Measurement")]
public class DecisionCostMeasurement
{
    private const int Activities = 830; // 6 events per step: about 5,000 events in all

    [TestCase(1000)]
    [TestCase(0)]
    public async Task Decision_cost_across_a_5000_event_workflow(int cacheSize)
    {
        var durations = new List<double>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == FlowDiagnostics.Name && instrument.Name == "flow.task.duration")
                l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<double>((_, value, tags, _) =>
        {
            foreach (var tag in tags)
                if (tag.Key == "kind" && (string?)tag.Value == "decision")
                    lock (durations) durations.Add(value);
        });
        listener.Start();

        await using var h = new Harness();
        var step = Harness.Activity("CostStep");
        var definition = Harness.Workflow("Cost" + cacheSize.ToString(CultureInfo.InvariantCulture));
        await h.StartWorkflowWorker([Harness.Handler(definition, async (_, _) =>
        {
            for (int i = 0; i < Activities; i++)
                await Workflow.ExecuteActivityAsync(step, null);
            return "done";
        })], o => o with { DecisionCacheSize = cacheSize, LoggerFactory = null });
        await h.StartActivityWorker([new(step, (_, _) => Task.FromResult<string?>(null))], o => o with { LoggerFactory = null });

        var run = await h.Client.StartAsync(definition, "cost-" + cacheSize.ToString(CultureInfo.InvariantCulture), null);
        await h.Client.GetResultAsync(run).WaitAsync(TimeSpan.FromMinutes(5));
        int events = (await h.History(run)).Count;

        List<double> buckets;
        lock (durations)
            buckets = durations.Chunk(100).Select(c => c.Average() * 1e6).ToList();
        TestContext.Out.WriteLine($"cache {cacheSize}: {events} events, {durations.Count} decisions; µs per decision by 100s: " +
            string.Join(" ", buckets.Select(b => b.ToString("F0", CultureInfo.InvariantCulture))));
        // The first bucket pays for JIT; a shared 2-core machine is noisy, so the bound is loose (without the cache
        // the late decisions cost 20-30 times the early ones).
        double early = buckets.Skip(1).Take(buckets.Count / 2).Average(), late = buckets.Skip(buckets.Count / 2 + 1).Average();
        if (cacheSize > 0)
            Assert.That(late, Is.LessThan(early * 5 + 1000), "with the cache, late decisions cost about what early ones do");
    }
}
