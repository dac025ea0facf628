using Flow;
using Flow.Testing;
using NUnit.Framework;

namespace Reminders;

[Activities(Version = "1", TaskList = "reminders", ScheduleToStart = "00:01:00", StartToClose = "00:01:00",
    ScheduleToClose = "00:02:00", Heartbeat = "NONE")]
public partial interface IReminderActivities
{
    Task<string> SendAsync(string name, string message);
}

[Workflow(Version = "1", TaskList = "reminder-decisions", ExecutionStartToClose = "60.00:00:00",
    TaskStartToClose = "00:00:30", ChildPolicy = "TERMINATE")]
public partial interface IReminder
{
    [Execute]
    Task<string> RunAsync(string name, int days);

    [Signal]
    Task SnoozeAsync(int days);
}

/// <summary>Waits the given number of days (longer when snoozed), then sends the reminder.</summary>
public sealed class Reminder : IReminder
{
    private int _snoozed;

    public async Task<string> RunAsync(string name, int days)
    {
        await Workflow.DelayAsync(TimeSpan.FromDays(days));
        while (_snoozed > 0)
        {
            var more = _snoozed;
            _snoozed = 0;
            await Workflow.DelayAsync(TimeSpan.FromDays(more));
        }
        return await new ReminderActivitiesClient().SendAsync(name, $"It is {Workflow.UtcNow:yyyy-MM-dd}.");
    }

    public Task SnoozeAsync(int days)
    {
        _snoozed += days;
        return Task.CompletedTask;
    }
}

public sealed class ReminderActivities : IReminderActivities
{
    public Task<string> SendAsync(string name, string message) => Task.FromResult($"Dear {name}: {message}");
}

public sealed class ReminderTests
{
    private static WorkflowTestEnvironment NewEnvironment()
    {
        var env = new WorkflowTestEnvironment();
        env.AddWorkflow(ReminderDispatch.CreateHandler(() => new Reminder()));
        env.AddActivities(ReminderActivitiesDispatch.CreateHandlers(() => new ReminderActivities()));
        return env;
    }

    [Test]
    public async Task A_thirty_day_reminder_arrives_after_thirty_virtual_days()
    {
        await using var env = NewEnvironment();   // disposing replays every run: non-determinism fails the test
        var start = env.UtcNow;

        var run = await new ReminderClient(env.Client).StartAsync("remind-ada", "Ada", 30);
        var sent = await run.GetResultAsync();     // time skips while the test waits and the workers are idle

        Assert.That(sent, Is.EqualTo("Dear Ada: It is 2030-01-31."));
        Assert.That(env.UtcNow - start, Is.EqualTo(TimeSpan.FromDays(30)));
    }

    [Test]
    public async Task A_snooze_during_the_wait_delays_the_reminder()
    {
        await using var env = NewEnvironment();
        var fake = new List<string>();
        env.AddActivity(ReminderActivitiesDispatch.Send, (input, context) =>
        {
            fake.Add(input!);                      // a fake for one activity: encoded input in, encoded result out
            return Task.FromResult<string?>("\"sent by the fake\"");
        });

        var run = await new ReminderClient(env.Client).StartAsync("remind-bob", "Bob", 2);
        await env.SkipAsync(TimeSpan.FromDays(1)); // move time by hand; it stands still otherwise
        await run.SnoozeAsync(3);

        Assert.That(await run.GetResultAsync(), Is.EqualTo("sent by the fake"));
        Assert.That(fake, Is.EqualTo(new[] { "[\"Bob\",\"It is 2030-01-06.\"]" }));
    }

    [Test]
    public async Task Yesterdays_histories_still_replay_against_todays_code()
    {
        await using var env = NewEnvironment();
        var run = await new ReminderClient(env.Client).StartAsync("remind-cy", "Cy", 1);
        await run.GetResultAsync();
        var json = await env.Client.GetHistoryJsonAsync(run.Execution); // or: aws swf get-workflow-execution-history

        var replayer = new WorkflowReplayer(ReminderDispatch.CreateHandler(() => new Reminder()));
        var result = replayer.ReplayJson(json, run.Execution);

        Assert.That(result.Succeeded, result.Describe());
    }

    [Test]
    public async Task The_activity_runs_alone_with_a_fake_context()
    {
        using var context = new ActivityTestContext();

        var sent = await ActivityTestHelper.RunAsync(context, _ => new ReminderActivities().SendAsync("Di", "hello"));

        Assert.That(sent, Is.EqualTo("Dear Di: hello"));
    }
}
