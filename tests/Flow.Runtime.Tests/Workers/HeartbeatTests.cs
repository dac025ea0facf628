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
