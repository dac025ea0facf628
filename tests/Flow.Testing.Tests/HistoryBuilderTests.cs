using Flow.Swf;
using NUnit.Framework;

namespace Flow.Testing.Tests;

public sealed class HistoryBuilderTests
{
    private static readonly ActivityType Echo = TestActivitiesDispatch.Echo.ToActivityType();

    [Test]
    public void Events_get_consecutive_ids_and_refer_to_the_events_they_follow()
    {
        var events = new HistoryBuilder(ScenarioDispatch.Definition)
            .WorkflowStarted("[\"retry\"]")
            .Decision()
            .ActivityScheduled("1", Echo, "[\"again\"]")
            .ActivityStarted("1")
            .ActivityCompleted("1", "\"again\"")
            .Decision()
            .WorkflowCompleted("\"done\"")
            .Events;

        Assert.That(events.Select(e => e.EventId), Is.EqualTo(Enumerable.Range(1, 11).Select(i => (long)i)));
        Assert.That(events[4].ActivityTaskScheduledEventAttributes!.DecisionTaskCompletedEventId, Is.EqualTo(4));
        Assert.That(events[5].ActivityTaskStartedEventAttributes!.ScheduledEventId, Is.EqualTo(5));
        Assert.That((events[6].ActivityTaskCompletedEventAttributes!.ScheduledEventId, events[6].ActivityTaskCompletedEventAttributes!.StartedEventId), Is.EqualTo((5, 6)));
        Assert.That((events[9].DecisionTaskCompletedEventAttributes!.ScheduledEventId, events[9].DecisionTaskCompletedEventAttributes!.StartedEventId), Is.EqualTo((8, 9)));
        Assert.That(events[10].WorkflowExecutionCompletedEventAttributes!.DecisionTaskCompletedEventId, Is.EqualTo(10));
    }

    [Test]
    public void A_hand_made_history_replays_against_the_workflow_that_would_write_it()
    {
        var events = new HistoryBuilder(SleeperDispatch.Definition)
            .WorkflowStarted("[2]")
            .Decision()
            .TimerStarted("t1", TimeSpan.FromDays(2))
            .Wait(TimeSpan.FromHours(5))
            .Signaled("Wake", "[\"a knock\"]")
            .Decision()
            .TimerCanceled("t1")
            .WorkflowCompleted("\"woken by a knock after 5h\"")
            .Events;

        var result = new WorkflowReplayer(SleeperDispatch.CreateHandler(() => new SleeperWorkflow())).Replay(events);

        Assert.That(result.Succeeded, result.Describe());
    }

    [Test]
    public void A_history_ending_in_an_open_decision_task_yields_the_decisions_the_code_makes_now()
    {
        var events = new HistoryBuilder(ScenarioDispatch.Definition)
            .WorkflowStarted("[\"retry\"]")
            .DecisionScheduled().DecisionStarted()
            .Events;

        var result = new WorkflowReplayer(ScenarioDispatch.CreateHandler(() => new ScenarioWorkflow())).Replay(events);

        Assert.That(result.NextDecisions.Select(d => d.ScheduleActivityTaskDecisionAttributes?.ActivityType.Name), Is.EqualTo(new[] { "TestActivities.Echo" }));
    }

    [Test]
    public void A_decision_the_code_no_longer_makes_is_reported_with_its_event()
    {
        var events = new HistoryBuilder(ScenarioDispatch.Definition)
            .WorkflowStarted("[\"retry\"]")
            .Decision()
            .TimerStarted("t1", TimeSpan.FromMinutes(1))
            .Events;

        var result = new WorkflowReplayer(ScenarioDispatch.CreateHandler(() => new ScenarioWorkflow())).Replay(events);

        Assert.That(result.Divergence?.EventId, Is.EqualTo(5), result.Describe());
        Assert.That(result.Divergence!.History, Is.EqualTo("event 5 TimerStarted: timer t1 (60 s)"));
        Assert.That(result.Divergence.Code, Does.Contain("TestActivities.Echo"));
    }

    [Test]
    public void Its_json_is_the_GetWorkflowExecutionHistory_shape_the_replayer_reads()
    {
        var builder = new HistoryBuilder(CounterDispatch.Definition).WorkflowStarted("[3]").Decision().WorkflowCompleted("3");

        var (events, _) = WorkflowReplayer.ParseHistory(builder.ToJson());

        Assert.That(builder.ToJson(), Does.StartWith("{\"events\":["));
        Assert.That(events.Select(e => e.EventType), Is.EqualTo(builder.Events.Select(e => e.EventType)));
        Assert.That(new WorkflowReplayer(CounterDispatch.CreateHandler(() => new CounterWorkflow())).Replay(events).Succeeded);
    }
}
