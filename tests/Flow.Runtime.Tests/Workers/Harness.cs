using Flow.Local;
using Flow.Swf;
using Flow.Workflows;
using Microsoft.Extensions.Time.Testing;

namespace Flow.Runtime.Tests.Workers;

/// <summary>A workflow written by hand (generated code produces the same shape).</summary>
internal sealed class LambdaWorkflow(Func<LambdaWorkflow, string?, Task<string?>> execute) : IWorkflowInstance
{
    public Dictionary<string, Action<string?>> Signals { get; } = [];
    public Func<string?>? State { get; set; }

    public Task<string?> ExecuteAsync(string? input) => execute(this, input);

    public Task? HandleSignal(string signalName, string? input)
    {
        if (!Signals.TryGetValue(signalName, out var handler))
            return null;
        handler(input);
        return Task.CompletedTask;
    }

    public string? GetState() => State?.Invoke();
}

/// <summary>A local engine (on a fake clock, so timers fire when a test says) with workers and a client over it.</summary>
internal sealed class Harness : IAsyncDisposable
{
    public const string Domain = "workers-tests";
    public const string Decisions = "deciders";
    public const string Activities = "activities";

    private readonly List<IAsyncDisposable> _workers = [];

    public Harness()
    {
        Time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        Engine = new LocalSwf(new LocalSwfOptions { TimeProvider = Time });
        (Swf, Probe) = SwfProbe.Wrap(Engine.Client);
        Client = new WorkflowClient(Swf, Domain) { ResultPollInitialInterval = TimeSpan.FromMilliseconds(2), ResultPollMaxInterval = TimeSpan.FromMilliseconds(50) };
        Swf.RegisterDomainAsync(new RegisterDomainInput { Name = Domain, WorkflowExecutionRetentionPeriodInDays = "1" }).GetAwaiter().GetResult();
    }

    public FakeTimeProvider Time { get; }
    public LocalSwf Engine { get; }
    public ISwfClient Swf { get; }
    public SwfProbe Probe { get; }
    public WorkflowClient Client { get; }

    public static ActivityDefinition Activity(string name, string? heartbeat = "NONE") => new(name, "1")
    {
        DefaultTaskList = Activities,
        DefaultScheduleToStartTimeout = "NONE",
        DefaultStartToCloseTimeout = "NONE",
        DefaultScheduleToCloseTimeout = "NONE",
        DefaultHeartbeatTimeout = heartbeat,
    };

    public static WorkflowDefinition Workflow(string name) => new(name, "1")
    {
        DefaultTaskList = Decisions,
        DefaultExecutionStartToCloseTimeout = "3600",
        DefaultTaskStartToCloseTimeout = "30",
        DefaultChildPolicy = ChildPolicy.Terminate,
    };

    public static WorkflowHandler Handler(WorkflowDefinition definition, Func<LambdaWorkflow, string?, Task<string?>> execute) =>
        new(definition, () => new LambdaWorkflow(execute));

    public async Task<WorkflowWorker> StartWorkflowWorker(IEnumerable<WorkflowHandler> workflows, Func<WorkflowWorkerOptions, WorkflowWorkerOptions>? configure = null)
    {
        var options = new WorkflowWorkerOptions { Domain = Domain, LoggerFactory = new TestLoggerFactory(), RetryInitialDelay = TimeSpan.FromMilliseconds(1), RetryMaxDelay = TimeSpan.FromMilliseconds(20) };
        var worker = new WorkflowWorker(Swf, configure?.Invoke(options) ?? options, workflows);
        await worker.StartAsync();
        _workers.Add(worker);
        return worker;
    }

    public async Task<ActivityWorker> StartActivityWorker(IEnumerable<ActivityHandler> activities, Func<ActivityWorkerOptions, ActivityWorkerOptions>? configure = null)
    {
        var options = new ActivityWorkerOptions
        {
            Domain = Domain, LoggerFactory = new TestLoggerFactory(), RetryInitialDelay = TimeSpan.FromMilliseconds(1), RetryMaxDelay = TimeSpan.FromMilliseconds(20),
            HeartbeatThrottleInterval = TimeSpan.Zero,
        };
        var worker = new ActivityWorker(Swf, configure?.Invoke(options) ?? options, activities);
        await worker.StartAsync();
        _workers.Add(worker);
        return worker;
    }

    /// <summary>The run's result, failing the test instead of hanging when it never closes.</summary>
    public async Task<string?> Result(WorkflowExecution execution)
    {
        try
        {
            return await Client.GetResultAsync(execution).WaitAsync(TimeSpan.FromSeconds(20));
        }
        catch (TimeoutException)
        {
            var events = (await History(execution)).Select(e => $"{e.EventId} {e.EventType}");
            throw new TimeoutException($"{execution.WorkflowId} did not close; its history: {string.Join(", ", events)}");
        }
    }

    public async Task<List<HistoryEvent>> History(WorkflowExecution execution) => await Client.GetHistoryAsync(execution);

    /// <summary>Completes once the run's history holds an event of <paramref name="type"/> (checked after each response the engine takes).</summary>
    public async Task<HistoryEvent> WhenEvent(WorkflowExecution execution, EventType type) =>
        (await WhenHistory(execution, events => events.Any(e => e.EventType == type))).First(e => e.EventType == type);

    /// <summary>Completes with the run's history once <paramref name="holds"/> holds for it (checked after each response the engine takes).</summary>
    public async Task<List<HistoryEvent>> WhenHistory(WorkflowExecution execution, Func<List<HistoryEvent>, bool> holds)
    {
        while (true)
        {
            var responded = Probe.WhenCalled("RespondActivityTaskCanceled");
            var decided = Probe.WhenCalled("RespondDecisionTaskCompleted");
            var failed = Probe.WhenCalled("RespondActivityTaskFailed");
            var completed = Probe.WhenCalled("RespondActivityTaskCompleted");
            var history = await History(execution);
            if (holds(history))
                return history;
            await Task.WhenAny(responded, decided, failed, completed).WaitAsync(TimeSpan.FromSeconds(20));
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var worker in _workers)
            await worker.DisposeAsync();
        Engine.Dispose();
    }
}
