using Flow.Swf;

namespace Flow;

/// <summary>An SWF activity type as a contract declares it: the registration defaults and how to name it.
/// Generated code creates these; hand-written code may too.</summary>
public sealed record ActivityDefinition(string Name, string Version)
{
    public string? DefaultTaskList { get; init; }
    public string? DefaultTaskPriority { get; init; }

    /// <summary>SWF duration strings: whole seconds, or "NONE".</summary>
    public string? DefaultScheduleToStartTimeout { get; init; }
    public string? DefaultStartToCloseTimeout { get; init; }
    public string? DefaultScheduleToCloseTimeout { get; init; }
    public string? DefaultHeartbeatTimeout { get; init; }
    public string? Description { get; init; }
    public bool ManualCompletion { get; init; }

    public ActivityType ToActivityType() => new() { Name = Name, Version = Version };
}

/// <summary>An SWF workflow type as a contract declares it.</summary>
public sealed record WorkflowDefinition(string Name, string Version)
{
    public string? DefaultTaskList { get; init; }
    public string? DefaultTaskPriority { get; init; }
    public string? DefaultExecutionStartToCloseTimeout { get; init; }
    public string? DefaultTaskStartToCloseTimeout { get; init; }
    public ChildPolicy? DefaultChildPolicy { get; init; }
    public string? Description { get; init; }

    public WorkflowType ToWorkflowType() => new() { Name = Name, Version = Version };
}

/// <summary>Runs one activity task: decodes the input, calls the implementation, encodes the result.
/// A null result is an activity that returns nothing.</summary>
public delegate Task<string?> ActivityInvoker(string? input, ActivityExecutionContext context);

/// <summary>One entry of an activity dispatch table (generated; no reflection).</summary>
public sealed record ActivityHandler(ActivityDefinition Definition, ActivityInvoker Invoke);

/// <summary>One workflow type a worker can run: its definition and a factory for fresh instances.</summary>
public sealed record WorkflowHandler(WorkflowDefinition Definition, Func<IWorkflowInstance> CreateInstance);

/// <summary>One run of workflow code, as the generated dispatch exposes it to the replay engine.
/// All payloads are the serialized strings SWF carries.</summary>
public interface IWorkflowInstance
{
    /// <summary>Decodes the input and runs the [Execute] method; the task's result is the encoded return value.</summary>
    Task<string?> ExecuteAsync(string? input);

    /// <summary>Routes a signal to its [Signal] method. Returns null when the contract has no such signal.</summary>
    Task? HandleSignal(string signalName, string? input);

    /// <summary>The encoded [GetState] value, or null when the contract has none.</summary>
    string? GetState();
}
