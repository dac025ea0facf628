namespace Flow;

// Contract attributes. Timeouts are TimeSpan strings ("00:10:00", "1.00:00:00") or "NONE" where SWF
// allows no limit; the generator validates them at build time and emits SWF's seconds.

/// <summary>Marks a partial interface whose methods are SWF activity types.</summary>
[AttributeUsage(AttributeTargets.Interface, Inherited = false)]
public sealed class ActivitiesAttribute : Attribute
{
    /// <summary>Version of every activity type in the contract (required by SWF).</summary>
    public string Version { get; set; } = "1.0";

    /// <summary>Default task list; also the list the worker polls when none is given.</summary>
    public string? TaskList { get; set; }

    /// <summary>Prefix of the SWF type names; default: the interface name without its leading I.</summary>
    public string? NamePrefix { get; set; }

    public string? ScheduleToStart { get; set; }
    public string? StartToClose { get; set; }
    public string? ScheduleToClose { get; set; }
    public string? Heartbeat { get; set; }

    /// <summary>Default task priority (an integer, higher runs first).</summary>
    public int TaskPriority { get; set; }
}

/// <summary>Overrides the SWF type of one activity method.</summary>
[AttributeUsage(AttributeTargets.Method, Inherited = false)]
public sealed class ActivityAttribute : Attribute
{
    public string? Name { get; set; }
    public string? Version { get; set; }
    public string? TaskList { get; set; }
    public string? ScheduleToStart { get; set; }
    public string? StartToClose { get; set; }
    public string? ScheduleToClose { get; set; }
    public string? Heartbeat { get; set; }
    public string? Description { get; set; }

    /// <summary>The implementation returns without completing the task; something else completes it
    /// later by task token (<see cref="ActivityExecutionContext.TaskToken"/>).</summary>
    public bool ManualCompletion { get; set; }
}

/// <summary>Marks a partial interface as an SWF workflow type.</summary>
[AttributeUsage(AttributeTargets.Interface, Inherited = false)]
public sealed class WorkflowAttribute : Attribute
{
    /// <summary>SWF type name; default: the interface name without its leading I, plus "." and the [Execute] method's name.</summary>
    public string? Name { get; set; }
    public string Version { get; set; } = "1.0";
    public string? TaskList { get; set; }
    public string? ExecutionStartToClose { get; set; }
    public string? TaskStartToClose { get; set; }

    /// <summary>TERMINATE, REQUEST_CANCEL or ABANDON.</summary>
    public string? ChildPolicy { get; set; }
    public string? Description { get; set; }
}

/// <summary>The workflow's entry point. Exactly one per workflow contract.</summary>
[AttributeUsage(AttributeTargets.Method, Inherited = false)]
public sealed class ExecuteAttribute : Attribute;

/// <summary>A method that handles an SWF signal; the signal name defaults to the method name without "Async".</summary>
[AttributeUsage(AttributeTargets.Method, Inherited = false)]
public sealed class SignalAttribute : Attribute
{
    public string? Name { get; set; }
}

/// <summary>A property or method whose value is sent as executionContext with every decision, readable by clients.</summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Method, Inherited = false)]
public sealed class GetStateAttribute : Attribute;
