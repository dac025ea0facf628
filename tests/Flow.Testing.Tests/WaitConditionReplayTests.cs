using NUnit.Framework;

namespace Flow.Testing.Tests;

/// <summary>WaitConditionAsync with a timeout resumes on the workflow scheduler when its timer fires.</summary>
public sealed class WaitConditionReplayTests
{
    private sealed class TimeoutWaiter : IWaiter
    {
        public async Task<string> RunAsync(string name) =>
            await Workflow.WaitConditionAsync(() => false, TimeSpan.FromMinutes(1)) ? "released" : "timed out";

        public Task ReleaseAsync(string value) => Task.CompletedTask;
    }

    [Test]
    public void WaitConditionAsync_with_a_timeout_returns_false_when_the_timer_fires()
    {
        var history = new HistoryBuilder(WaiterDispatch.Definition)
            .WorkflowStarted("[\"w\"]").Decision().TimerStarted("t1", TimeSpan.FromMinutes(1))
            .TimerFired("t1").DecisionScheduled().DecisionStarted().Events;

        var result = new WorkflowReplayer(WaiterDispatch.CreateHandler(() => new TimeoutWaiter())).Replay(history);

        Assert.That(result.NextDecisions.Select(d => d.DecisionType), Is.EqualTo(new[] { Flow.Swf.DecisionType.CompleteWorkflowExecution }));
    }
}
