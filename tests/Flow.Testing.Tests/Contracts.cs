using Flow;
using NUnit.Framework;

namespace Flow.Testing.Tests;

[Activities(Version = "1", TaskList = "test-activities", ScheduleToStart = "00:05:00", StartToClose = "00:05:00",
    ScheduleToClose = "00:10:00", Heartbeat = "NONE")]
public partial interface ITestActivities
{
    Task<string> EchoAsync(string text);

    [Activity(Heartbeat = "00:00:10")]
    Task<string> SlowAsync(string text);
}

/// <summary>Activities on a task list no worker polls: only their schedule-to-start timeout can end them.</summary>
[Activities(Version = "1", TaskList = "nobody-polls", ScheduleToStart = "00:01:00", StartToClose = "00:05:00",
    ScheduleToClose = "00:10:00", Heartbeat = "NONE")]
public partial interface IOrphanActivities
{
    Task<string> LostAsync(string text);
}

[Workflow(Version = "1", TaskList = "test-decisions", ExecutionStartToClose = "60.00:00:00", TaskStartToClose = "00:00:10", ChildPolicy = "TERMINATE")]
public partial interface ISleeper
{
    [Execute]
    Task<string> RunAsync(int days);

    [Signal]
    Task WakeAsync(string why);
}

[Workflow(Version = "1", TaskList = "test-decisions", ExecutionStartToClose = "5.00:00:00", TaskStartToClose = "00:00:10", ChildPolicy = "TERMINATE")]
public partial interface IScenario
{
    [Execute]
    Task<string> RunAsync(string scenario);
}

[Workflow(Version = "1", TaskList = "test-decisions", ExecutionStartToClose = "2.00:00:00", TaskStartToClose = "00:00:10", ChildPolicy = "TERMINATE")]
public partial interface ICounter
{
    [Execute]
    Task<int> RunAsync(int count);
}

[Workflow(Version = "1", TaskList = "test-decisions", ExecutionStartToClose = "00:10:00", TaskStartToClose = "00:00:10", ChildPolicy = "TERMINATE")]
public partial interface IWaiter
{
    [Execute]
    Task<string> RunAsync(string name);

    [Signal]
    Task ReleaseAsync(string value);
}

[Workflow(Version = "1", TaskList = "test-decisions", ExecutionStartToClose = "01:00:00", TaskStartToClose = "00:00:10", ChildPolicy = "TERMINATE")]
public partial interface IStateful
{
    [Execute]
    Task<string> RunAsync(string name);

    [GetState]
    string State { get; }
}

/// <summary>A quick activity (1-minute start-to-close), a durable 5-minute timer, then a signal it waits for.</summary>
[Workflow(Version = "1", TaskList = "test-decisions", ExecutionStartToClose = "1.00:00:00", TaskStartToClose = "00:00:10", ChildPolicy = "TERMINATE")]
public partial interface IFollowUp
{
    [Execute]
    Task<string> RunAsync(string customer);

    [Signal]
    Task ConfirmAsync(string by);
}

/// <summary>A value-type state: a client must tell "no state yet" from a count of zero.</summary>
[Workflow(Version = "1", TaskList = "test-decisions", ExecutionStartToClose = "01:00:00", TaskStartToClose = "00:00:10", ChildPolicy = "TERMINATE")]
public partial interface ICounting
{
    [Execute]
    Task<int> RunAsync(int target);

    [Signal]
    Task AddAsync();

    [GetState]
    int Count { get; }
}
