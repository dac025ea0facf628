using Flow.Swf;

namespace Flow.Hosting.Tests.Http;

/// <summary>
/// A run whose next decision task is routed to a worker's sticky task list while that worker is gone: SWF times the
/// task out after taskListScheduleToStartTimeout and schedules it on the shared list, where another worker replays
/// the history in full and finishes the run. Over HTTP against flow dev, in real time (the timeout is one second).
/// </summary>
[TestFixture]
public class StickyFallbackTests
{
    private static readonly ActivityDefinition Gate = new("Sticky.Gate", "1")
    {
        DefaultTaskList = "sticky-activities",
        DefaultScheduleToStartTimeout = "NONE",
        DefaultStartToCloseTimeout = "60",
        DefaultScheduleToCloseTimeout = "NONE",
        DefaultHeartbeatTimeout = "NONE",
    };

    private static readonly WorkflowDefinition Run = new("Sticky.Run", "1")
    {
        DefaultTaskList = "sticky-decisions",
        DefaultExecutionStartToCloseTimeout = "600",
        DefaultTaskStartToCloseTimeout = "30",
        DefaultChildPolicy = ChildPolicy.Terminate,
    };

    private sealed class TwoGates : IWorkflowInstance
    {
        public async Task<string?> ExecuteAsync(string? input) =>
            await Workflow.ExecuteActivityAsync(Gate, "one") + "+" + await Workflow.ExecuteActivityAsync(Gate, "two");

        public Task? HandleSignal(string signalName, string? input) => null;
        public string? GetState() => null;
    }

    private static WorkflowWorker Decider(ISwfClient swf, string domain) => new(swf, new WorkflowWorkerOptions
    {
        Domain = domain,
        Pollers = 1,
        StickyTaskList = true,
        StickyScheduleToStartTimeout = TimeSpan.FromSeconds(1),
    }, [new WorkflowHandler(Run, () => new TwoGates())]);

    [Test]
    public async Task A_decision_stranded_on_a_departed_workers_sticky_list_falls_back_to_the_shared_list_and_is_replayed_in_full()
    {
        string domain = await FlowDev.NewDomainAsync("sticky");
        using var swf = FlowDev.Client(FlowDev.Url);
        var first = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var activities = new ActivityWorker(swf, new ActivityWorkerOptions { Domain = domain, Pollers = 1 },
        [new ActivityHandler(Gate, async (input, _) =>
        {
            if (input == "one")
            {
                first.TrySetResult();
                await release.Task;
            }
            return input;
        })]);
        var departing = Decider(swf, domain);
        await departing.StartAsync();
        await activities.StartAsync();
        var client = new WorkflowClient(swf, domain) { ResultPollMaxInterval = TimeSpan.FromMilliseconds(200) };
        WorkflowWorker? successor = null;
        try
        {
            var run = await client.StartAsync(Run, "stranded-1", null);
            await first.Task.WaitAsync(TimeSpan.FromSeconds(30));
            // The first decision routed the run to the departing worker's own list; it leaves with nothing in flight.
            await departing.StopAsync();
            successor = Decider(swf, domain);
            await successor.StartAsync();
            release.SetResult();

            Assert.That(await client.GetResultAsync(run).WaitAsync(TimeSpan.FromSeconds(30)), Is.EqualTo("one+two"));
            var history = await client.GetHistoryAsync(run);
            var timedOut = history.Single(e => e.EventType == EventType.DecisionTaskTimedOut).DecisionTaskTimedOutEventAttributes!;
            Assert.That(timedOut.TimeoutType, Is.EqualTo(DecisionTaskTimeoutType.ScheduleToStart));
            var lists = history.Where(e => e.EventType == EventType.DecisionTaskScheduled)
                .Select(e => e.DecisionTaskScheduledEventAttributes!.TaskList.Name).ToList();
            Assert.That(lists[0], Is.EqualTo("sticky-decisions"));
            Assert.That(lists[1], Is.EqualTo(departing.StickyTaskList), "the second decision was routed to the departed worker");
            Assert.That(lists[2], Is.EqualTo("sticky-decisions"), "after the timeout, SWF scheduled it on the shared list");
            Assert.That(successor.DecisionCacheMisses, Is.GreaterThanOrEqualTo(1), "the successor had no executor: a full replay");
            Assert.That(successor.DecisionCacheHits, Is.GreaterThanOrEqualTo(1), "and its next decision came back to it as a hit");
        }
        finally
        {
            release.TrySetResult();
            await activities.StopAsync();
            if (successor is not null)
                await successor.StopAsync();
        }
    }
}
