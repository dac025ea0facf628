using System.Diagnostics;
using Flow.Swf;
using static Flow.Conformance.Tests.Sandbox;

namespace Flow.Conformance.Tests;

/// <summary>
/// What moto lacks (child workflows, continue-as-new, external signals and cancels, long polls, counts of
/// executions): run against flow dev only, each checked against the API reference's events.
/// </summary>
public sealed class FlowDevOnlyTests
{
    private static Task<Sandbox> DevAsync() => Sandbox.CreateAsync(Services.Dev);

    /// <summary>The types in order, keeping only those named: a subsequence check that tolerates the decision tasks between.</summary>
    private static List<EventType> Only(IEnumerable<HistoryEvent> history, params EventType[] kinds) =>
        [.. history.Select(e => e.EventType).Where(kinds.Contains)];

    [Test]
    public async Task A_child_workflow_starts_knows_its_parent_and_reports_its_result_to_the_parent()
    {
        var s = await DevAsync();
        var parent = await s.StartAsync("parent");
        await s.DecideAsync(new Decision
        {
            DecisionType = DecisionType.StartChildWorkflowExecution,
            StartChildWorkflowExecutionDecisionAttributes = new StartChildWorkflowExecutionDecisionAttributes
            {
                WorkflowType = OrdersRun, WorkflowId = "child", TaskList = new TaskList { Name = "children" }, Input = "for the child",
            },
        });

        var childTask = await s.DecisionAsync("children");
        var started = childTask.Events[0].WorkflowExecutionStartedEventAttributes!;
        Assert.That(started.ParentWorkflowExecution!.RunId, Is.EqualTo(parent.RunId));
        Assert.That(started.Input, Is.EqualTo("for the child"));
        await s.RespondAsync(childTask, Complete("child done"));

        // The parent's decider sees ChildWorkflowExecutionStarted, then Completed (one or two decision tasks).
        HistoryEvent? completed = null;
        while (completed is null)
        {
            var task = await s.DecisionAsync();
            var events = await s.Client.GetDecisionTaskEventsAsync(new PollForDecisionTaskInput { Domain = s.Domain, TaskList = new TaskList { Name = DecisionList } }, task).ToListAsync();
            completed = events.FirstOrDefault(e => e.EventType == EventType.ChildWorkflowExecutionCompleted);
            await s.RespondAsync(task, completed is null ? [] : [Complete()]);
        }

        Assert.That(completed.ChildWorkflowExecutionCompletedEventAttributes!.Result, Is.EqualTo("child done"));
        Assert.That(Only(await s.HistoryAsync(parent), EventType.StartChildWorkflowExecutionInitiated, EventType.ChildWorkflowExecutionStarted,
                EventType.ChildWorkflowExecutionCompleted, EventType.WorkflowExecutionCompleted),
            Is.EqualTo(new[]
            {
                EventType.StartChildWorkflowExecutionInitiated, EventType.ChildWorkflowExecutionStarted,
                EventType.ChildWorkflowExecutionCompleted, EventType.WorkflowExecutionCompleted,
            }));
    }

    [Test]
    public async Task Continue_as_new_closes_the_run_and_starts_a_new_run_under_the_same_workflow_id()
    {
        var s = await DevAsync();
        var first = await s.StartAsync("loop", input: "1");
        await s.DecideAsync(new Decision
        {
            DecisionType = DecisionType.ContinueAsNewWorkflowExecution,
            ContinueAsNewWorkflowExecutionDecisionAttributes = new ContinueAsNewWorkflowExecutionDecisionAttributes { Input = "2" },
        });

        var last = (await s.HistoryAsync(first))[^1];
        Assert.That(last.EventType, Is.EqualTo(EventType.WorkflowExecutionContinuedAsNew));
        string newRunId = last.WorkflowExecutionContinuedAsNewEventAttributes!.NewExecutionRunId;
        Assert.That((await s.DescribeAsync(first)).ExecutionInfo.CloseStatus, Is.EqualTo(CloseStatus.ContinuedAsNew));

        var next = await s.DecisionAsync();
        Assert.That(next.WorkflowExecution.RunId, Is.EqualTo(newRunId));
        var started = next.Events[0].WorkflowExecutionStartedEventAttributes!;
        Assert.That((started.Input, started.ContinuedExecutionRunId), Is.EqualTo(("2", first.RunId)));
    }

    [Test]
    public async Task An_external_signal_is_recorded_on_both_sides()
    {
        var s = await DevAsync();
        var sender = await s.StartAsync("sender");
        var receiver = await s.StartAsync("receiver");
        await s.DecideAsync(); // the sender's first task is the oldest
        await s.DecideAsync();
        await s.SignalAsync("sender", "go", "now");
        await s.DecideAsync(new Decision
        {
            DecisionType = DecisionType.SignalExternalWorkflowExecution,
            SignalExternalWorkflowExecutionDecisionAttributes = new SignalExternalWorkflowExecutionDecisionAttributes
            {
                WorkflowId = "receiver", SignalName = "hello", Input = "from sender",
            },
        });

        Assert.That(Only(await s.HistoryAsync(sender), EventType.SignalExternalWorkflowExecutionInitiated, EventType.ExternalWorkflowExecutionSignaled),
            Is.EqualTo(new[] { EventType.SignalExternalWorkflowExecutionInitiated, EventType.ExternalWorkflowExecutionSignaled }));
        var signaled = (await s.HistoryAsync(receiver)).Single(e => e.EventType == EventType.WorkflowExecutionSignaled).WorkflowExecutionSignaledEventAttributes!;
        Assert.That((signaled.SignalName, signaled.Input, signaled.ExternalWorkflowExecution?.WorkflowId), Is.EqualTo(("hello", "from sender", "sender")));
    }

    [Test]
    public async Task An_external_cancel_request_is_recorded_on_both_sides()
    {
        var s = await DevAsync();
        var sender = await s.StartAsync("sender");
        var receiver = await s.StartAsync("receiver");
        await s.DecideAsync();
        await s.DecideAsync();
        await s.SignalAsync("sender", "go", "now");
        await s.DecideAsync(new Decision
        {
            DecisionType = DecisionType.RequestCancelExternalWorkflowExecution,
            RequestCancelExternalWorkflowExecutionDecisionAttributes = new RequestCancelExternalWorkflowExecutionDecisionAttributes { WorkflowId = "receiver" },
        });

        Assert.That(Only(await s.HistoryAsync(sender), EventType.RequestCancelExternalWorkflowExecutionInitiated, EventType.ExternalWorkflowExecutionCancelRequested),
            Is.EqualTo(new[] { EventType.RequestCancelExternalWorkflowExecutionInitiated, EventType.ExternalWorkflowExecutionCancelRequested }));
        var requested = (await s.HistoryAsync(receiver)).Single(e => e.EventType == EventType.WorkflowExecutionCancelRequested);
        Assert.That(requested.WorkflowExecutionCancelRequestedEventAttributes!.ExternalWorkflowExecution?.WorkflowId, Is.EqualTo("sender"));
    }

    [Test]
    public async Task A_poll_on_an_empty_task_list_is_held_then_answered_without_a_task()
    {
        // API reference, PollForDecisionTask: the call is a long poll of up to 60 s (here shortened by
        // --long-poll-seconds); with no task it answers an empty taskToken. moto answers at once.
        var s = await DevAsync();
        var clock = Stopwatch.StartNew();

        var task = await s.Client.PollForDecisionTaskAsync(new PollForDecisionTaskInput { Domain = s.Domain, TaskList = new TaskList { Name = "empty" } });

        Assert.That(task.TaskToken, Is.Null.Or.Empty);
        Assert.That(clock.Elapsed, Is.GreaterThan(Services.LongPollHold - TimeSpan.FromMilliseconds(200)));
    }

    [Test]
    public async Task A_held_poll_is_answered_as_soon_as_a_task_is_scheduled()
    {
        var s = await DevAsync();
        var poll = s.Client.PollForActivityTaskAsync(new PollForActivityTaskInput { Domain = s.Domain, TaskList = new TaskList { Name = ActivityList } });
        await s.StartAsync("order");
        await s.DecideAsync(Schedule("charge-1", "held"));

        var task = await poll;

        Assert.That(task.Input, Is.EqualTo("held"));
    }

    [Test]
    public async Task Open_and_closed_executions_are_counted_with_filters_on_flow_dev_and_the_counts_are_missing_on_moto()
    {
        // API reference, CountOpenWorkflowExecutions / CountClosedWorkflowExecutions: counts with the same
        // filters as the List operations. moto lacks both operations.
        var s = await DevAsync();
        await s.StartAsync("a", tags: ["red"]);
        await s.StartAsync("b");
        await s.Client.TerminateWorkflowExecutionAsync(new TerminateWorkflowExecutionInput { Domain = s.Domain, WorkflowId = "b" });
        var window = new ExecutionTimeFilter { OldestDate = DateTimeOffset.UtcNow.AddHours(-1) };

        var open = await s.Client.CountOpenWorkflowExecutionsAsync(new CountOpenWorkflowExecutionsInput { Domain = s.Domain, StartTimeFilter = window });
        var blue = await s.Client.CountOpenWorkflowExecutionsAsync(new CountOpenWorkflowExecutionsInput { Domain = s.Domain, StartTimeFilter = window, TagFilter = new TagFilter { Tag = "blue" } });
        var terminated = await s.Client.CountClosedWorkflowExecutionsAsync(new CountClosedWorkflowExecutionsInput
        {
            Domain = s.Domain, StartTimeFilter = window, CloseStatusFilter = new CloseStatusFilter { Status = CloseStatus.Terminated },
        });
        Assert.That((open.Count, blue.Count, terminated.Count), Is.EqualTo((1, 0, 1)));

        var moto = await Sandbox.CreateAsync(Services.Moto);
        var missing = Assert.CatchAsync<SwfException>(() => moto.Client.CountOpenWorkflowExecutionsAsync(new CountOpenWorkflowExecutionsInput { Domain = moto.Domain, StartTimeFilter = window }));
        Assert.That(missing!.ErrorCode, Does.StartWith("HttpStatus"), "moto (observed)");
    }
}

/// <summary>The decisions moto lacks, as moto answers them today: a moto that learns one fails this test, and the scenario can move to the shared suite.</summary>
public sealed class MotoMissingDecisionTests
{
    private static readonly Decision[] Missing =
    [
        new() { DecisionType = DecisionType.StartChildWorkflowExecution, StartChildWorkflowExecutionDecisionAttributes = new() { WorkflowType = OrdersRun, WorkflowId = "child" } },
        new() { DecisionType = DecisionType.ContinueAsNewWorkflowExecution, ContinueAsNewWorkflowExecutionDecisionAttributes = new() },
        new() { DecisionType = DecisionType.SignalExternalWorkflowExecution, SignalExternalWorkflowExecutionDecisionAttributes = new() { WorkflowId = "order", SignalName = "x" } },
        new() { DecisionType = DecisionType.RequestCancelExternalWorkflowExecution, RequestCancelExternalWorkflowExecutionDecisionAttributes = new() { WorkflowId = "order" } },
    ];

    [Test]
    public async Task Moto_answers_each_decision_it_lacks_with_a_server_error([Range(0, 3)] int which)
    {
        var s = await Sandbox.CreateAsync(Services.Moto);
        await s.StartAsync("order");
        var task = await s.DecisionAsync();

        var thrown = Assert.CatchAsync<SwfException>(() => s.RespondAsync(task, Missing[which]));

        Assert.That(thrown!.ErrorCode, Is.EqualTo("HttpStatus500"), Missing[which].DecisionType.ToString());
    }
}
