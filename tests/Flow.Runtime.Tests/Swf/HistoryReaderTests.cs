using System.Text;
using System.Text.Json;
using Flow.Runtime.Tests.Swf.Support;
using Flow.Swf;

namespace Flow.Runtime.Tests.Swf;

/// <summary>The lean history reader gives exactly what the generated JSON metadata gives, for real histories and
/// for the odd spellings that send it down the generated path.</summary>
public class HistoryReaderTests
{
    public static IEnumerable<string> HistoryFiles() =>
        Directory.GetFiles(TestFiles.HistoriesFolder, "*.json").Order(StringComparer.Ordinal);

    [Test]
    public void There_are_histories_to_compare() =>
        Assert.That(HistoryFiles().Count(), Is.GreaterThanOrEqualTo(8));

    [TestCaseSource(nameof(HistoryFiles))]
    public void A_real_history_reads_the_same_as_with_the_generated_metadata(string file)
    {
        var json = File.ReadAllBytes(file);

        var expected = JsonSerializer.Deserialize(json, SwfJsonContext.Default.History)!;
        var actual = HistoryReader.ReadHistory(json);

        Assert.That(actual.Events, Has.Count.EqualTo(expected.Events.Count).And.Count.GreaterThan(0));
        Assert.That(Write(actual), Is.EqualTo(Write(expected)));
    }

    [TestCaseSource(nameof(HistoryFiles))]
    public void A_real_history_in_a_decision_task_reads_the_same_as_with_the_generated_metadata(string file)
    {
        var history = JsonSerializer.Deserialize(File.ReadAllBytes(file), SwfJsonContext.Default.History)!;
        var events = JsonSerializer.Serialize(history.Events, SwfJsonContext.Default.ListHistoryEvent);
        var body = Encoding.UTF8.GetBytes(
            $$"""{"taskToken":"AAAA\u002Btoken","startedEventId":7,"workflowExecution":{"workflowId":"w","runId":"r"},"workflowType":{"name":"Flow.Test","version":"1"},"previousStartedEventId":3,"nextPageToken":"page-2","events":{{events}}}""");

        var expected = JsonSerializer.Deserialize(body, SwfJsonContext.Default.DecisionTask)!;
        var actual = HistoryReader.ReadDecisionTask(body);

        Assert.That(Write(actual), Is.EqualTo(Write(expected)));
    }

    [TestCase(1)]
    [TestCase(5_000)]
    [TestCase(30_000)]
    public void Every_event_of_a_body_is_read_in_order_however_small_the_events_are(int count)
    {
        // Events this short are fewer bytes than the reader's first guess assumes, so its buffer has to grow.
        var events = string.Join(",", Enumerable.Range(1, count).Select(i =>
            $$$"""{"eventId":{{{i}}},"eventType":"DecisionTaskStarted","decisionTaskStartedEventAttributes":{"scheduledEventId":{{{i}}}}}"""));
        var body = Encoding.UTF8.GetBytes($$"""{"events":[{{events}}]}""");

        var history = HistoryReader.ReadHistory(body);

        Assert.That(history.Events.Select(e => e.EventId), Is.EqualTo(Enumerable.Range(1, count).Select(i => (long)i)));
        Assert.That(history.Events.Select(e => e.DecisionTaskStartedEventAttributes!.ScheduledEventId), Is.EqualTo(Enumerable.Range(1, count).Select(i => (long)i)));
    }

    [TestCase("""{"events":[{"eventId":1,"eventType":"DecisionTaskStarted","eventTimestamp":1.5E9,"decisionTaskStartedEventAttributes":{"scheduledEventId":2,"extra":[1,{"a":null}]}}]}""")]
    [TestCase("""{"events":[{"eventId":1,"eventType":"DecisionTaskStarted","eventTimestamp":"1500000000.5","decisionTaskStartedEventAttributes":{"identity":null,"scheduledEventId":2}}]}""")]
    [TestCase("""{"events":[{"event\u0049d":1,"eventType":"ActivityTaskStarted","activityTaskStartedEventAttributes":{"scheduledEventId":2}}]}""")]
    [TestCase("""{"events":[{"eventId":1,"eventType":"ActivityTaskScheduled","activityTaskScheduledEventAttributes":{"activityType":{"name":"A\u00e9","version":"1"},"activityId":null,"taskList":null,"input":"\"x\""}}]}""")]
    [TestCase("""{"events":[{"eventId":1,"eventType":"ActivityTaskScheduled","activityTaskScheduledEventAttributes":{"activityType":null}},{"eventId":2,"eventType":"Unknown"}],"nextPageToken":null}""")]
    [TestCase("""{"events":[{"eventId":1,"eventId":2,"eventType":"DecisionTaskCompleted","decisionTaskCompletedEventAttributes":{"startedEventId":3,"taskList":{"name":"n","name":"m"}}}],"other":{"events":5}}""")]
    [TestCase("""{"events":[{"eventId":1,"eventType":"TimerStarted","timerStartedEventAttributes":{"timerId":"t1","startToFireTimeout":"5","decisionTaskCompletedEventId":4}}]}""")]
    [TestCase("""{"events":[{"eventId":1,"eventType":5}]}""")]
    [TestCase("""{"events":null}""")]
    [TestCase("""{}""")]
    public void An_unusual_spelling_reads_the_same_as_with_the_generated_metadata(string json)
    {
        var bytes = Encoding.UTF8.GetBytes(json);
        string expected;
        try
        {
            expected = Write(JsonSerializer.Deserialize(bytes, SwfJsonContext.Default.History)!);
        }
        catch (JsonException)
        {
            Assert.Throws<JsonException>(() => HistoryReader.ReadHistory(bytes));
            return;
        }
        Assert.That(Write(HistoryReader.ReadHistory(bytes)), Is.EqualTo(expected));
    }

    [TestCase("""{"events":[{"eventId":"1"}]}""")]
    [TestCase("""{"events":[{"eventId":1.5}]}""")]
    [TestCase("""{"events":[]} []""")]
    [TestCase("""{"events":[{"eventId":1,"decisionTaskStartedEventAttributes":{"scheduledEventId":null}}]}""")]
    public void A_body_the_generated_metadata_refuses_is_refused(string json)
    {
        var bytes = Encoding.UTF8.GetBytes(json);
        Assert.Throws<JsonException>(() => JsonSerializer.Deserialize(bytes, SwfJsonContext.Default.History));
        Assert.Throws<JsonException>(() => HistoryReader.ReadHistory(bytes));
    }

    [Test]
    public void Every_event_type_is_read_by_its_wire_name()
    {
        foreach (var type in Enum.GetValues<EventType>())
        {
            var json = Encoding.UTF8.GetBytes($$"""{"events":[{"eventId":1,"eventType":{{JsonSerializer.Serialize(type, SwfJsonContext.Default.EventType)}}}]}""");
            Assert.That(HistoryReader.ReadHistory(json).Events[0].EventType, Is.EqualTo(type));
        }
    }

    [Test]
    public void Repeated_type_names_and_task_lists_share_one_string_and_one_object_within_a_body()
    {
        static string Scheduled(int id, string type, string list) =>
            $$"""{"eventId":{{id}},"eventType":"ActivityTaskScheduled","activityTaskScheduledEventAttributes":{"activityType":{"name":"{{type}}","version":"1"},"activityId":"{{id}}","taskList":{"name":"{{list}}""" + "\"}}}";
        const string decision = """{"eventId":3,"eventType":"DecisionTaskScheduled","decisionTaskScheduledEventAttributes":{"taskList":{"name":"decisions"}}}""";
        var json = Encoding.UTF8.GetBytes($$"""{"events":[{{Scheduled(1, "Step", "q")}},{{Scheduled(2, "Other", "q")}},{{decision}},{{Scheduled(4, "Step", "q")}}]}""");

        var events = HistoryReader.ReadHistory(json).Events;
        var first = events[0].ActivityTaskScheduledEventAttributes!;
        var other = events[1].ActivityTaskScheduledEventAttributes!;
        var decisions = events[2].DecisionTaskScheduledEventAttributes!;
        var again = events[3].ActivityTaskScheduledEventAttributes!;

        Assert.That(other.TaskList.Name, Is.SameAs(first.TaskList.Name));
        Assert.That(again.ActivityType, Is.SameAs(first.ActivityType), "an equal type further on, past another type and task list");
        Assert.That(again.TaskList, Is.SameAs(first.TaskList));
        Assert.That(other.ActivityType, Is.Not.SameAs(first.ActivityType));
        Assert.That(other.ActivityType.Name, Is.EqualTo("Other"));
        Assert.That(decisions.TaskList, Is.Not.SameAs(first.TaskList));
        Assert.That(decisions.TaskList.Name, Is.EqualTo("decisions"));

        var nextBody = HistoryReader.ReadHistory(json).Events[0].ActivityTaskScheduledEventAttributes!;
        Assert.That(nextBody.ActivityType, Is.Not.SameAs(first.ActivityType), "two responses never share an object");
        Assert.That(nextBody.TaskList, Is.Not.SameAs(first.TaskList));
    }

    [Test]
    public void A_task_list_without_a_name_or_with_a_null_one_reads_as_the_generated_metadata_reads_it()
    {
        var json = Encoding.UTF8.GetBytes(
            """{"events":[{"eventId":1,"eventType":"DecisionTaskScheduled","decisionTaskScheduledEventAttributes":{"taskList":{}}},""" +
            """{"eventId":2,"eventType":"DecisionTaskScheduled","decisionTaskScheduledEventAttributes":{"taskList":{"name":null}}},""" +
            """{"eventId":3,"eventType":"DecisionTaskScheduled","decisionTaskScheduledEventAttributes":{"taskList":{"name":null}}}]}""");

        var events = HistoryReader.ReadHistory(json).Events;

        Assert.That(Write(HistoryReader.ReadHistory(json)), Is.EqualTo(Write(JsonSerializer.Deserialize(json, SwfJsonContext.Default.History)!)));
        Assert.That(events[0].DecisionTaskScheduledEventAttributes!.TaskList.Name, Is.EqualTo(""));
        Assert.That(events[1].DecisionTaskScheduledEventAttributes!.TaskList.Name, Is.Null);
    }

    private static string Write(History history) => JsonSerializer.Serialize(history, SwfJsonContext.Default.History);

    private static string Write(DecisionTask task) => JsonSerializer.Serialize(task, SwfJsonContext.Default.DecisionTask);
}
