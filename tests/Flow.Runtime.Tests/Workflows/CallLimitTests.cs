using Flow.Swf;
using Flow.Workflows;

namespace Flow.Runtime.Tests.Workflows;

/// <summary>
/// Values over SWF's per-decision limits are refused where workflow code makes the call, with an ArgumentException
/// naming the field, its length and the limit: the code can catch it, and unhandled it fails the workflow with that
/// reason. Refused only when the response is sent, the decision task would fail on every retry, forever.
/// </summary>
public class CallLimitTests
{
    private static readonly string Long257 = new('x', 257);
    private static readonly RetryPolicy Retry = new() { MaximumAttempts = 10 };

    public static IEnumerable<TestCaseData> Calls()
    {
        TestCaseData Case(string name, Func<Task> call, string field, string length, string limit) =>
            new TestCaseData(call, field, length, limit).SetName(name);

        yield return Case("activity id", () => Workflow.ExecuteActivityAsync(Defs.Act, null, new ActivityOptions { ActivityId = Long257 }),
            "ActivityOptions.ActivityId", "257", "256");
        // With a retry policy the attempt suffix ("#10") must fit too.
        yield return Case("activity id with room for the attempt suffix", () => Workflow.ExecuteActivityAsync(Defs.Act, null,
            new ActivityOptions { ActivityId = new string('x', 254), RetryPolicy = Retry }), "ActivityOptions.ActivityId", "254", "253");
        yield return Case("activity id that is empty", () => Workflow.ExecuteActivityAsync(Defs.Act, null, new ActivityOptions { ActivityId = "" }),
            "ActivityOptions.ActivityId", "0", "256");
        yield return Case("activity task list", () => Workflow.ExecuteActivityAsync(Defs.Act, null, new ActivityOptions { TaskList = Long257 }),
            "ActivityOptions.TaskList", "257", "256");
        yield return Case("activity type name", () => Workflow.ExecuteActivityAsync(new ActivityDefinition(Long257, "1"), null),
            "ActivityDefinition.Name", "257", "256");
        yield return Case("activity type version", () => Workflow.ExecuteActivityAsync(new ActivityDefinition("act", new string('v', 65)), null),
            "ActivityDefinition.Version", "65", "64");
        yield return Case("activity input", () => Workflow.ExecuteActivityAsync(Defs.Act, new string('i', 32769)),
            "input", "32769", "32768");
        yield return Case("activity timeout", () => Workflow.ExecuteActivityAsync(Defs.Act, null,
            new ActivityOptions { StartToCloseTimeout = TimeSpan.FromSeconds(100_000_000) }), "ActivityOptions.StartToCloseTimeout", "9", "8");
        yield return Case("activity default timeout", () => Workflow.ExecuteActivityAsync(
            new ActivityDefinition("act", "1") { DefaultHeartbeatTimeout = "123456789" }, null), "ActivityDefinition.DefaultHeartbeatTimeout", "9", "8");
        yield return Case("child workflow id", () => Workflow.ExecuteChildWorkflowAsync(Defs.Child, null, new ChildWorkflowOptions { WorkflowId = Long257 }),
            "ChildWorkflowOptions.WorkflowId", "257", "256");
        yield return Case("child task list", () => Workflow.ExecuteChildWorkflowAsync(Defs.Child, null, new ChildWorkflowOptions { TaskList = Long257 }),
            "ChildWorkflowOptions.TaskList", "257", "256");
        yield return Case("child tag", () => Workflow.ExecuteChildWorkflowAsync(Defs.Child, null, new ChildWorkflowOptions { TagList = ["ok", Long257] }),
            "ChildWorkflowOptions.TagList[1]", "257", "256");
        yield return Case("child tag count", () => Workflow.ExecuteChildWorkflowAsync(Defs.Child, null,
            new ChildWorkflowOptions { TagList = ["a", "b", "c", "d", "e", "f"] }), "ChildWorkflowOptions.TagList", "6", "5");
        yield return Case("child input", () => Workflow.ExecuteChildWorkflowAsync(Defs.Child, new string('i', 32769)),
            "input", "32769", "32768");
        yield return Case("child timeout", () => Workflow.ExecuteChildWorkflowAsync(Defs.Child, null,
            new ChildWorkflowOptions { TaskStartToCloseTimeout = TimeSpan.FromDays(5000) }), "ChildWorkflowOptions.TaskStartToCloseTimeout", "9", "8");
        yield return Case("timer duration", () => Workflow.DelayAsync(TimeSpan.FromDays(2000)), "delay", "9", "8");
        yield return Case("timer id", () => Workflow.DelayAsync(Long257, TimeSpan.FromSeconds(1)), "timerId", "257", "256");
        yield return Case("marker name", () => { Workflow.RecordMarker(Long257, null); return Task.CompletedTask; }, "markerName", "257", "256");
        yield return Case("marker details", () => { Workflow.RecordMarker("m", new string('d', 32769)); return Task.CompletedTask; },
            "details", "32769", "32768");
        yield return Case("version change id", () => { Workflow.GetVersion(new string('c', 32768), 1, 2); return Task.CompletedTask; },
            "changeId", "32768", "32768");
        yield return Case("version change id that JSON escapes", () => { Workflow.GetVersion(new string('é', 6000), 1, 2); return Task.CompletedTask; },
            "changeId", "6000", "32768");
        yield return Case("signal name", () => Workflow.SignalExternalWorkflowAsync("other", null, Long257, null), "signalName", "257", "256");
        yield return Case("signal workflow id", () => Workflow.SignalExternalWorkflowAsync(Long257, null, "go", null), "workflowId", "257", "256");
        yield return Case("signal run id", () => Workflow.SignalExternalWorkflowAsync("other", new string('r', 65), "go", null), "runId", "65", "64");
        yield return Case("signal input", () => Workflow.SignalExternalWorkflowAsync("other", null, "go", new string('i', 32769)), "input", "32769", "32768");
        yield return Case("cancel workflow id", () => Workflow.RequestCancelExternalWorkflowAsync(Long257), "workflowId", "257", "256");
        yield return Case("cancel run id", () => Workflow.RequestCancelExternalWorkflowAsync("other", new string('r', 65)), "runId", "65", "64");
        yield return Case("continue-as-new input", () => throw Workflow.ContinueAsNew(Defs.Test, new string('i', 32769)), "input", "32769", "32768");
        yield return Case("continue-as-new task list", () => throw Workflow.ContinueAsNew(Defs.Test, null, new WorkflowStartOptions { TaskList = Long257 }),
            "WorkflowStartOptions.TaskList", "257", "256");
        yield return Case("continue-as-new tag", () => throw Workflow.ContinueAsNew(Defs.Test, null, new WorkflowStartOptions { TagList = [Long257] }),
            "WorkflowStartOptions.TagList[0]", "257", "256");
        yield return Case("continue-as-new lambda role", () => throw Workflow.ContinueAsNew(Defs.Test, null,
            new WorkflowStartOptions { LambdaRole = new string('r', 1601) }), "WorkflowStartOptions.LambdaRole", "1601", "1600");
    }

    [TestCaseSource(nameof(Calls))]
    public void A_value_over_the_limit_is_refused_at_the_call_and_fails_the_workflow_with_the_field_length_and_limit(
        Func<Task> call, string field, string length, string limit)
    {
        var h = new HistoryBuilder().Started();
        h.Decide();
        ArgumentException? seen = null;

        var result = Defs.Executor(async _ =>
        {
            Task pending;
            try
            {
                pending = call();
            }
            catch (ArgumentException e)
            {
                seen = e;
                throw;
            }
            await pending;
            return "sent";
        }).ProcessDecisionTask(h.Task());

        Assert.That(seen, Is.Not.Null, "thrown by the call itself, where workflow code can see it");
        Assert.That(seen!.Message, Does.Contain(field).And.Contain($" {length} ").And.Contain($"at most {limit}"));
        var fail = result.Decisions.Single().FailWorkflowExecutionDecisionAttributes!;
        Assert.That(fail.Reason, Is.EqualTo("System.ArgumentException"));
        Assert.That(fail.Details, Does.Contain(field));
    }

    [TestCase("a:b")]
    [TestCase("a/b")]
    [TestCase("a|b")]
    [TestCase("a\u0007b")]
    [TestCase("arn")]
    public void An_activity_id_with_a_character_SWF_refuses_is_refused_at_the_call(string id)
    {
        var h = new HistoryBuilder().Started();
        h.Decide();

        var result = Defs.Executor(_ => Workflow.ExecuteActivityAsync(Defs.Act, null, new ActivityOptions { ActivityId = id })).ProcessDecisionTask(h.Task());

        var fail = result.Decisions.Single().FailWorkflowExecutionDecisionAttributes!;
        Assert.That(fail.Reason, Is.EqualTo("System.ArgumentException"));
        Assert.That(fail.Details, Does.StartWith("ActivityOptions.ActivityId"));
    }

    [Test]
    public void Workflow_code_that_catches_the_refusal_goes_on()
    {
        var h = new HistoryBuilder().Started();
        h.Decide();

        var result = Defs.Executor(async _ =>
        {
            try
            {
                await Workflow.ExecuteActivityAsync(Defs.Act, null, new ActivityOptions { ActivityId = Long257 });
                return "sent";
            }
            catch (ArgumentException)
            {
                return await Workflow.ExecuteActivityAsync(Defs.Act, null, new ActivityOptions { ActivityId = "short" });
            }
        }).ProcessDecisionTask(h.Task());

        Assert.That(result.Decisions.Single().ScheduleActivityTaskDecisionAttributes!.ActivityId, Is.EqualTo("short"));
    }

    [Test]
    public void The_longest_allowed_values_go_out()
    {
        var h = new HistoryBuilder().Started();
        h.Decide();

        var result = Defs.Executor(input =>
        {
            _ = Workflow.ExecuteActivityAsync(Defs.Act, new string('i', 32768),
                new ActivityOptions { ActivityId = new string('a', 253), RetryPolicy = Retry, StartToCloseTimeout = TimeSpan.FromSeconds(99_999_999) });
            _ = Workflow.ExecuteChildWorkflowAsync(Defs.Child, null, new ChildWorkflowOptions { WorkflowId = new string('w', 256), TagList = ["1", "2", "3", "4", new string('t', 256)] });
            _ = Workflow.DelayAsync(TimeSpan.FromSeconds(99_999_999));
            Workflow.RecordMarker(new string('m', 256), new string('d', 32768));
            _ = Workflow.SignalExternalWorkflowAsync(new string('w', 256), new string('r', 64), new string('s', 256), null);
            return new TaskCompletionSource<string?>().Task;
        }).ProcessDecisionTask(h.Task());

        Assert.That(result.Types(), Is.EqualTo(new[]
        {
            DecisionType.ScheduleActivityTask, DecisionType.StartChildWorkflowExecution, DecisionType.StartTimer,
            DecisionType.RecordMarker, DecisionType.SignalExternalWorkflowExecution,
        }));
    }

    [Test]
    public void A_continue_as_new_exception_made_without_Workflow_ContinueAsNew_is_checked_when_the_run_closes()
    {
        var h = new HistoryBuilder().Started();
        h.Decide();

        var result = Defs.Executor(_ => throw new ContinueAsNewException(Defs.Test, null, new WorkflowStartOptions { TaskList = Long257 }))
            .ProcessDecisionTask(h.Task());

        var fail = result.Decisions.Single().FailWorkflowExecutionDecisionAttributes!;
        Assert.That(fail.Reason, Is.EqualTo("System.ArgumentException"));
        Assert.That(fail.Details, Does.Contain("WorkflowStartOptions.TaskList is 257 characters long; SWF allows at most 256"));
    }

    [Test]
    public void A_side_effect_value_over_the_limit_is_refused_the_same_way_on_replay()
    {
        // The value is known only live; a marker records the refusal, so a replay (of code that caught it and went on)
        // throws at the same call instead of finding a side-effect marker missing.
        Func<string?, Task<string?>> workflow = async _ =>
        {
            try
            {
                await Workflow.SideEffectAsync(() => new string('v', 32769));
                return "recorded";
            }
            catch (ArgumentException e)
            {
                return await Workflow.ExecuteActivityAsync(Defs.Act, e.Message.Contains("32769") ? "refused" : "other");
            }
        };
        var h = new HistoryBuilder().Started();
        h.Decide();

        var live = Defs.Executor(workflow).ProcessDecisionTask(h.Task());

        Assert.That(live.Types(), Is.EqualTo(new[] { DecisionType.RecordMarker, DecisionType.ScheduleActivityTask }));
        var marker = live.Decisions[0].RecordMarkerDecisionAttributes!;
        Assert.That(marker.Details, Does.Contain("32769").And.Contain("at most 32768"));
        Assert.That(live.Decisions[1].ScheduleActivityTaskDecisionAttributes!.Input, Is.EqualTo("refused"));
        h.DecisionCompleted();
        h.Marker(marker.MarkerName, marker.Details);
        var s = h.ActivityScheduled("1");
        h.ActivityCompleted(s, "\"done\"");
        h.Decide();
        var replayed = Defs.Executor(workflow).ProcessDecisionTask(h.Task());
        Assert.That(replayed.Decisions.Single().CompleteWorkflowExecutionDecisionAttributes!.Result, Is.EqualTo("\"done\""));
    }
}
