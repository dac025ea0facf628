using Flow.Swf;
using Flow.Workers;

namespace Flow.Runtime.Tests.Workers;

[TestFixture]
public class PollingTests
{
    [Test]
    public async Task A_worker_whose_task_slots_are_all_taken_stops_polling_until_one_is_free()
    {
        await using var h = new Harness();
        var held = Harness.Activity("Held");
        var definition = Harness.Workflow("Holding");
        var running = new SemaphoreSlim(0);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await h.StartWorkflowWorker([Harness.Handler(definition, async (_, input) => await Workflow.ExecuteActivityAsync(held, input))]);
        var worker = await h.StartActivityWorker([new(held, async (input, _) =>
        {
            running.Release();
            await release.Task;
            return input;
        })], o => o with { Pollers = 3, MaxConcurrentTasks = 2 });
        int Polls() => h.Probe.Calls.Count(c => c == "PollForActivityTask");

        var first = await h.Client.StartAsync(definition, "holding-1", "1");
        var second = await h.Client.StartAsync(definition, "holding-2", "2");
        Assert.That(await running.WaitAsync(TimeSpan.FromSeconds(20)) && await running.WaitAsync(TimeSpan.FromSeconds(20)), Is.True);
        int pollsWhileFull = Polls();
        var third = await h.Client.StartAsync(definition, "holding-3", "3");
        await h.WhenEvent(third, EventType.ActivityTaskScheduled);

        // Three pollers, but both slots are taken: nobody polls, so the third task waits in its task list.
        Assert.That(worker.InFlight, Is.EqualTo(2));
        Assert.That(Polls(), Is.EqualTo(pollsWhileFull));
        Assert.That((await h.History(third)).Any(e => e.EventType == EventType.ActivityTaskStarted), Is.False);

        release.SetResult();
        Assert.That(new[] { await h.Result(first), await h.Result(second), await h.Result(third) }, Is.EqualTo(new[] { "1", "2", "3" }));
    }

    [Test]
    public void Backoff_delays_are_spread_between_zero_and_the_attempts_ceiling()
    {
        var backoff = new RetryBackoff(TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(30), TimeProvider.System);
        foreach (var (attempt, ceiling) in new[] { (0, 100.0), (3, 800.0), (20, 30_000.0) })
        {
            var draws = Enumerable.Range(0, 2000).Select(_ => backoff.Next(attempt).TotalMilliseconds).ToList();

            Assert.That(draws, Is.All.InRange(0.0, ceiling), $"attempt {attempt}");
            // Full jitter: a fleet retrying together spreads over the whole range instead of meeting again.
            Assert.That(draws.Min(), Is.LessThan(ceiling * 0.05), $"attempt {attempt}");
            Assert.That(draws.Max(), Is.GreaterThan(ceiling * 0.95), $"attempt {attempt}");
            Assert.That(draws.Count(d => d < ceiling / 2), Is.InRange(800, 1200), $"attempt {attempt}: about half below the middle");
        }
    }
}
