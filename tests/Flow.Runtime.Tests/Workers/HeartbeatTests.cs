using Flow.Swf;

namespace Flow.Runtime.Tests.Workers;

[TestFixture]
public class HeartbeatTests
{
    [Test]
    public async Task Heartbeats_are_throttled_and_the_latest_details_go_out_when_the_interval_ends()
    {
        await using var h = new Harness();
        var busy = Harness.Activity("Busy");
        var definition = Harness.Workflow("Heartbeating");
        var beaten = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await h.StartWorkflowWorker([Harness.Handler(definition, async (_, _) => await Workflow.ExecuteActivityAsync(busy, null))]);
        await h.StartActivityWorker([new(busy, async (_, context) =>
        {
            for (int i = 1; i <= 10; i++)
                await context.HeartbeatAsync("progress " + i);
            beaten.SetResult();
            await release.Task;
            return "done";
        })], o => o with { HeartbeatThrottleInterval = TimeSpan.FromSeconds(5), TimeProvider = h.Time });

        var run = await h.Client.StartAsync(definition, "heartbeating-1", null);
        await beaten.Task.WaitAsync(TimeSpan.FromSeconds(20));
        var heartbeats = h.Probe.InputsOf<RecordActivityTaskHeartbeatInput>("RecordActivityTaskHeartbeat");
        Assert.That(heartbeats.Select(b => b.Details), Is.EqualTo(new[] { "progress 1" }), "one heartbeat per interval");

        var flushed = h.Probe.WhenCalled("RecordActivityTaskHeartbeat");
        h.Time.Advance(TimeSpan.FromSeconds(5));
        await flushed.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.That(h.Probe.InputsOf<RecordActivityTaskHeartbeatInput>("RecordActivityTaskHeartbeat").Last().Details, Is.EqualTo("progress 10"));

        release.SetResult();
        Assert.That(await h.Result(run), Is.EqualTo("done"));
    }

    [Test]
    public async Task An_activity_heartbeating_every_second_under_a_3_s_per_call_heartbeat_timeout_does_not_time_out()
    {
        // The registered default (30 s) is what the worker knows; the call asks for 3 s, which only the history records.
        await using var h = new Harness();
        var steady = Harness.Activity("Steady", heartbeat: "30");
        var definition = Harness.Workflow("Steady");
        var beats = new SemaphoreSlim(0);
        var ticks = new SemaphoreSlim(0);
        const int seconds = 8;
        await h.StartWorkflowWorker([Harness.Handler(definition, async (_, _) =>
        {
            try
            {
                return await Workflow.ExecuteActivityAsync(steady, null, new ActivityOptions { HeartbeatTimeout = TimeSpan.FromSeconds(3) });
            }
            catch (ActivityTimedOutException e)
            {
                return "timed out: " + e.TimeoutType;
            }
        })]);
        // The worker's own throttle, not the harness's zero.
        await h.StartActivityWorker([new(steady, async (_, context) =>
        {
            for (int i = 0; i < seconds; i++)
            {
                await context.HeartbeatAsync("second " + i);
                beats.Release();
                await ticks.WaitAsync();
            }
            return "done";
        })], o => o with { HeartbeatThrottleInterval = new ActivityWorkerOptions().HeartbeatThrottleInterval, TimeProvider = h.Time });

        var run = await h.Client.StartAsync(definition, "steady-1", null);
        for (int i = 0; i < seconds; i++)
        {
            Assert.That(await beats.WaitAsync(TimeSpan.FromSeconds(20)), Is.True, $"heartbeat {i}");
            h.Time.Advance(TimeSpan.FromSeconds(1));
            ticks.Release();
        }

        Assert.That(await h.Result(run), Is.EqualTo("done"));
        Assert.That(h.Probe.InputsOf<RecordActivityTaskHeartbeatInput>("RecordActivityTaskHeartbeat").Select(b => b.Details),
            Is.EqualTo(Enumerable.Range(0, seconds).Select(i => "second " + i)), "each heartbeat went out when the activity made it");
    }

    [Test]
    public async Task HeartbeatNowAsync_goes_out_past_the_throttle_and_once_it_returns_the_token_carries_a_cancel_request()
    {
        await using var h = new Harness();
        var careful = Harness.Activity("Careful");
        var definition = Harness.Workflow("Careful");
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var proceed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await h.StartWorkflowWorker([Harness.Handler(definition, async (self, input) =>
        {
            var stop = new CancellationTokenSource();
            bool finish = false;
            self.Signals["Stop"] = _ => stop.Cancel();
            self.Signals["Finish"] = _ => finish = true;
            try
            {
                await Workflow.ExecuteActivityAsync(careful, null, new ActivityOptions { CancellationToken = stop.Token });
            }
            catch (ActivityCanceledException)
            {
            }
            await Workflow.WaitConditionAsync(() => finish); // open, so the activity's answer is still taken
            return "finished";
        })]);
        // A throttle no heartbeat of this test gets past on its own.
        await h.StartActivityWorker([new(careful, async (_, context) =>
        {
            await context.HeartbeatAsync("started");
            started.SetResult();
            await proceed.Task;
            await context.HeartbeatNowAsync("last check");
            context.CancellationToken.ThrowIfCancellationRequested();
            return "not cancelled";
        })], o => o with { HeartbeatThrottleInterval = TimeSpan.FromMinutes(5), TimeProvider = h.Time });

        var run = await h.Client.StartAsync(definition, "careful-1", null);
        await started.Task.WaitAsync(TimeSpan.FromSeconds(20));
        await h.Client.SignalAsync(run, "Stop", null);
        await h.WhenEvent(run, EventType.ActivityTaskCancelRequested);
        proceed.SetResult();

        Assert.That(await h.WhenEvent(run, EventType.ActivityTaskCanceled), Is.Not.Null, "reported as canceled, not failed");
        Assert.That(h.Probe.InputsOf<RecordActivityTaskHeartbeatInput>("RecordActivityTaskHeartbeat").Select(b => b.Details),
            Is.EqualTo(new[] { "started", "last check" }));
        await h.Client.SignalAsync(run, "Finish", null);
        Assert.That(await h.Result(run), Is.EqualTo("finished"));
    }

    [Test]
    public async Task Heartbeat_details_over_2048_characters_are_refused_in_the_activity()
    {
        await using var h = new Harness();
        var chatty = Harness.Activity("Chatty");
        var definition = Harness.Workflow("Chatty");
        await h.StartWorkflowWorker([Harness.Handler(definition, async (_, _) =>
        {
            try
            {
                return await Workflow.ExecuteActivityAsync(chatty, null);
            }
            catch (ActivityFailedException ex)
            {
                return ex.ErrorType;
            }
        })]);
        await h.StartActivityWorker([new(chatty, async (_, context) =>
        {
            await context.HeartbeatAsync(new string('d', 2049));
            return "sent";
        })]);

        var run = await h.Client.StartAsync(definition, "chatty-1", null);

        Assert.That(await h.Result(run), Is.EqualTo("System.ArgumentException"));
    }
}
