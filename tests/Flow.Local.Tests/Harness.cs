using Flow.Swf;
using Microsoft.Extensions.Time.Testing;

namespace Flow.Local.Tests;

/// <summary>An engine on a fake clock with a registered domain and types, and short ways to drive it.</summary>
internal sealed class Harness : IDisposable
{
    public const string Domain = "test-domain";
    public const string Decisions = "deciders";
    public const string ActivityList = "workers";

    public FakeTimeProvider Time { get; }
    public LocalSwf Engine { get; private set; }
    public ISwfClient Swf { get; private set; }
    public string? DatabasePath { get; }

    readonly TimeSpan _hold;
    readonly TimeSpan? _busyTimeout;
    readonly int _maxPollers;

    public Harness(string? databasePath = null, FakeTimeProvider? time = null, bool register = true, TimeSpan? longPollHold = null,
        TimeSpan? busyTimeout = null, int maxPollers = 1_000)
    {
        _maxPollers = maxPollers;
        Time = time ?? new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        DatabasePath = databasePath;
        _hold = longPollHold ?? TimeSpan.FromSeconds(60);
        _busyTimeout = busyTimeout;
        Engine = new LocalSwf(Options());
        Swf = Engine.Client;
        if (register)
            Register();
    }

    /// <summary>Closes the engine and opens a new one on the same SQLite file, as a restart does.</summary>
    public void Restart()
    {
        Engine.Dispose();
        Engine = new LocalSwf(Options());
        Swf = Engine.Client;
    }

    LocalSwfOptions Options() =>
        new() { DatabasePath = DatabasePath, TimeProvider = Time, LongPollHold = _hold, StoreBusyTimeout = _busyTimeout, MaxPollersPerTaskList = _maxPollers };

    void Register()
    {
        Run(Swf.RegisterDomainAsync(new RegisterDomainInput { Name = Domain, WorkflowExecutionRetentionPeriodInDays = "1" }));
        Run(Swf.RegisterWorkflowTypeAsync(new RegisterWorkflowTypeInput
        {
            Domain = Domain, Name = "Flow", Version = "1", DefaultTaskList = new TaskList { Name = Decisions },
            DefaultExecutionStartToCloseTimeout = "3600", DefaultTaskStartToCloseTimeout = "30", DefaultChildPolicy = ChildPolicy.Terminate,
        }));
        Run(Swf.RegisterActivityTypeAsync(new RegisterActivityTypeInput
        {
            Domain = Domain, Name = "Work", Version = "1", DefaultTaskList = new TaskList { Name = ActivityList },
            DefaultTaskScheduleToStartTimeout = "NONE", DefaultTaskScheduleToCloseTimeout = "NONE",
            DefaultTaskStartToCloseTimeout = "NONE", DefaultTaskHeartbeatTimeout = "NONE",
        }));
    }

    public static T Run<T>(Task<T> task) => task.GetAwaiter().GetResult();

    public static void Run(Task task) => task.GetAwaiter().GetResult();

    public WorkflowExecution Start(string workflowId = "wf-1", string? input = null, Action<StartWorkflowExecutionInput>? configure = null)
    {
        var start = new StartWorkflowExecutionInput
        {
            Domain = Domain, WorkflowId = workflowId, WorkflowType = new WorkflowType { Name = "Flow", Version = "1" }, Input = input,
        };
        configure?.Invoke(start);
        var run = Run(Swf.StartWorkflowExecutionAsync(start));
        return new WorkflowExecution { WorkflowId = workflowId, RunId = run.RunId! };
    }

    /// <summary>Polls for a decision task that must be there now (a pending poll would wait on the fake clock).</summary>
    public DecisionTask PollDecision(string taskList = Decisions, Action<PollForDecisionTaskInput>? configure = null)
    {
        var poll = new PollForDecisionTaskInput { Domain = Domain, TaskList = new TaskList { Name = taskList }, Identity = "decider" };
        configure?.Invoke(poll);
        var task = Swf.PollForDecisionTaskAsync(poll);
        Assert.That(task.IsCompleted, Is.True, "a decision task should have been ready");
        return Run(task);
    }

    public ActivityTask PollActivity(string taskList = ActivityList)
    {
        var task = Swf.PollForActivityTaskAsync(new PollForActivityTaskInput { Domain = Domain, TaskList = new TaskList { Name = taskList }, Identity = "worker" });
        Assert.That(task.IsCompleted, Is.True, "an activity task should have been ready");
        return Run(task);
    }

    public void Decide(DecisionTask task, params Decision[] decisions) =>
        Run(Swf.RespondDecisionTaskCompletedAsync(new RespondDecisionTaskCompletedInput { TaskToken = task.TaskToken, Decisions = [.. decisions] }));

    public List<HistoryEvent> History(WorkflowExecution execution) =>
        Run(Swf.GetWorkflowExecutionHistoryAsync(new GetWorkflowExecutionHistoryInput { Domain = Domain, Execution = execution })).Events;

    public List<EventType> EventTypes(WorkflowExecution execution) => History(execution).Select(e => e.EventType).ToList();

    public WorkflowExecutionDetail Describe(WorkflowExecution execution) =>
        Run(Swf.DescribeWorkflowExecutionAsync(new DescribeWorkflowExecutionInput { Domain = Domain, Execution = execution }));

    public void Advance(TimeSpan by) => Time.Advance(by);

    public static Decision ScheduleActivity(string id, string? input = null, Action<ScheduleActivityTaskDecisionAttributes>? configure = null)
    {
        var a = new ScheduleActivityTaskDecisionAttributes { ActivityId = id, ActivityType = new ActivityType { Name = "Work", Version = "1" }, Input = input };
        configure?.Invoke(a);
        return new Decision { DecisionType = DecisionType.ScheduleActivityTask, ScheduleActivityTaskDecisionAttributes = a };
    }

    public static Decision Complete(string? result = null) => new()
    {
        DecisionType = DecisionType.CompleteWorkflowExecution,
        CompleteWorkflowExecutionDecisionAttributes = new CompleteWorkflowExecutionDecisionAttributes { Result = result },
    };

    public static Decision StartTimer(string id, string seconds) => new()
    {
        DecisionType = DecisionType.StartTimer,
        StartTimerDecisionAttributes = new StartTimerDecisionAttributes { TimerId = id, StartToFireTimeout = seconds },
    };

    public void Dispose() => Engine.Dispose();
}
