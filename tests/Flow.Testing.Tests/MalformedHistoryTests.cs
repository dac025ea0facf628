using Flow.Swf;
using NUnit.Framework;

namespace Flow.Testing.Tests;

/// <summary>A history that SWF could not have written gives a failed result that says what is wrong, never an exception
/// and never a success.</summary>
public sealed class MalformedHistoryTests
{
    private static WorkflowReplayer Replayer() => new(WaiterDispatch.CreateHandler(() => new WaiterWorkflow()));

    private const string Started = """
        {"eventId":1,"eventType":"WorkflowExecutionStarted","eventTimestamp":1700000000,
         "workflowExecutionStartedEventAttributes":{"workflowType":{"name":"Waiter.Run","version":"1"},"input":"[\"w\"]",
           "taskList":{"name":"test-decisions"},"childPolicy":"TERMINATE","executionStartToCloseTimeout":"600","taskStartToCloseTimeout":"10"}}
        """;

    private const string Scheduled = """
        {"eventId":2,"eventType":"DecisionTaskScheduled","eventTimestamp":1700000000,
         "decisionTaskScheduledEventAttributes":{"taskList":{"name":"test-decisions"},"startToCloseTimeout":"10"}}
        """;

    [TestCase("""{"events":null}""", "has an \"events\" array", TestName = "Events that are null")]
    [TestCase("""{}""", "has an \"events\" array", TestName = "No events member")]
    [TestCase("""{"events":{}}""", "has an \"events\" array", TestName = "Events that are an object")]
    [TestCase("""{"events":[null]}""", "Entry 1 of \"events\" is null", TestName = "A null event")]
    [TestCase("""{"events":[1]}""", "Entry 1 of \"events\" is not an object", TestName = "A number for an event")]
    [TestCase("""{"events":[{"eventId":1,"eventTimestamp":1700000000}]}""", "Entry 1 of \"events\" has no eventType", TestName = "An event without a type")]
    [TestCase("""{"events":[{"eventType":"WorkflowExecutionStarted","eventTimestamp":1700000000}]}""", "Entry 1 of \"events\" has no eventId", TestName = "An event without an id")]
    [TestCase("""{"events":[{"eventId":1,"eventType":"NoSuchEvent","eventTimestamp":1700000000}]}""", "Not a readable history", TestName = "An unknown event type")]
    [TestCase("""{"events":[]}""", "The history has no events", TestName = "No events at all")]
    [TestCase("""{"events":[{"eventId":1,"eventType":"WorkflowExecutionStarted","eventTimestamp":1700000000}]}""",
        "Event 1 (WorkflowExecutionStarted) has no workflowExecutionStartedEventAttributes", TestName = "A start without attributes")]
    [TestCase("""{"events":[""" + Started + "," + """{"eventId":2,"eventType":"DecisionTaskScheduled","eventTimestamp":1700000000}]}""",
        "Event 2 (DecisionTaskScheduled) has no decisionTaskScheduledEventAttributes", TestName = "A later event without attributes")]
    [TestCase("""{"events":[""" + Started + "," + Started + "]}", "event id 1 appears more than once", TestName = "Every event id is 1")]
    [TestCase("""{"events":[""" + Started + "]} x", "Not a readable history", TestName = "Text after the document")]
    public void A_malformed_history_gives_a_failed_result_naming_what_is_wrong(string json, string expected)
    {
        var result = Replayer().ReplayJson(json);

        Assert.That(result.Succeeded, Is.False);
        Assert.That(result.Error, Is.InstanceOf<FormatException>());
        Assert.That(result.Error!.Message, Does.Contain(expected));
        Assert.That(result.Describe(), Does.Contain(expected));
    }

    [Test]
    public void Event_ids_must_run_from_1_without_gaps()
    {
        var gap = Events(Started, Scheduled.Replace("\"eventId\":2", "\"eventId\":3", StringComparison.Ordinal));
        Assert.That(Replayer().Replay(gap).Error!.Message,
            Is.EqualTo("The history's event ids must run 1..2, one per event, but event id 2 is missing (after 1 comes 3)."));

        var late = Events(Started.Replace("\"eventId\":1", "\"eventId\":3", StringComparison.Ordinal), Scheduled);
        Assert.That(Replayer().Replay(late).Error!.Message, Is.EqualTo("The history's event ids must run 1..2, one per event, but the first event id is 2."));

        var nulls = new List<HistoryEvent> { Events(Started)[0], null! };
        Assert.That(Replayer().Replay(nulls).Error!.Message, Is.EqualTo("Entry 2 of the events is null."));
    }

    private static List<HistoryEvent> Events(params string[] events) => WorkflowReplayer.ParseHistory("""{"events":[""" + string.Join(",", events) + "]}").Events;

    [Test]
    public void A_well_formed_history_given_in_reverse_order_still_replays()
    {
        var events = new HistoryBuilder(WaiterDispatch.Definition).WorkflowStarted("[\"w\"]").DecisionScheduled().DecisionStarted().Events;

        var result = Replayer().Replay(Enumerable.Reverse(events).ToList());

        Assert.That(result.Succeeded, result.Describe());
        Assert.That(Replayer().ReplayJson("""{"events":[""" + Scheduled + "," + Started + "]}").Succeeded);
    }
}
