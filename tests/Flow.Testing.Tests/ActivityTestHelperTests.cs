using NUnit.Framework;

namespace Flow.Testing.Tests;

public sealed class ActivityTestHelperTests
{
    private sealed class Counting : ITestActivities
    {
        public Task<string> EchoAsync(string text) => Task.FromResult(text + "!");

        public async Task<string> SlowAsync(string text)
        {
            var context = ActivityExecutionContext.Current!;
            for (int i = 1; ; i++)
            {
                context.CancellationToken.ThrowIfCancellationRequested();
                await context.HeartbeatAsync($"step {i}");
            }
        }
    }

    [Test]
    public async Task Heartbeats_are_recorded_and_cancellation_comes_on_demand()
    {
        using var context = new ActivityTestContext { CancelAfterHeartbeats = 3 };

        Assert.ThrowsAsync<OperationCanceledException>(() => ActivityTestHelper.RunAsync(context, _ => new Counting().SlowAsync("x")));

        Assert.That(context.Heartbeats, Is.EqualTo(new[] { "step 1", "step 2", "step 3" }));
        await Task.CompletedTask;
    }

    [Test]
    public async Task Cancel_stops_an_activity_that_waits_on_its_token()
    {
        using var context = new ActivityTestContext();
        var running = ActivityTestHelper.RunAsync(context, async token =>
        {
            await ActivityExecutionContext.Current!.HeartbeatAsync("waiting");
            await Task.Delay(Timeout.Infinite, token);
        });
        await context.NextHeartbeatAsync().WaitAsync(TimeSpan.FromSeconds(10)).ContinueWith(_ => { });

        context.Cancel();

        Assert.CatchAsync<OperationCanceledException>(() => running);
        Assert.That(context.Heartbeats, Is.EqualTo(new[] { "waiting" }));
    }

    [Test]
    public async Task A_dispatch_table_entry_runs_with_encoded_input_and_result()
    {
        var handler = TestActivitiesDispatch.CreateHandlers(() => new Counting()).Single(h => h.Definition == TestActivitiesDispatch.Echo);

        var result = await ActivityTestHelper.RunAsync(handler, "[\"hello\"]");

        Assert.That(result, Is.EqualTo("\"hello!\""));
    }

    [Test]
    public async Task The_attempt_is_read_from_the_id_as_a_worker_reads_it_or_set_outright()
    {
        using var first = new ActivityTestContext();
        using var third = new ActivityTestContext { Id = "4#3" };
        using var set = new ActivityTestContext { AttemptNumber = 5 };

        var seen = await Task.WhenAll(new[] { first, third, set }.Select(c =>
            ActivityTestHelper.RunAsync(c, _ => Task.FromResult(ActivityExecutionContext.Current!.Attempt))));

        Assert.That(seen, Is.EqualTo(new[] { 1, 3, 5 }));
    }
}
