using System.Text.Json;
using System.Text.Json.Nodes;
using Flow.Runtime.Tests.Swf.Support;
using Flow.Swf;

namespace Flow.Runtime.Tests.Swf;

/// <summary>The shapes read and write what SWF sends: absent, empty and zero stay distinct, timestamps
/// come in any spelling, and real histories parse in full.</summary>
public class SwfJsonTests
{
    [Test]
    public void An_absent_id_and_a_zero_id_stay_distinct()
    {
        var zero = JsonSerializer.Deserialize("""{"taskToken":"t","startedEventId":3,"previousStartedEventId":0}""", SwfJsonContext.Default.DecisionTask)!;
        var absent = JsonSerializer.Deserialize("""{"taskToken":"t","startedEventId":3}""", SwfJsonContext.Default.DecisionTask)!;

        Assert.That(zero.PreviousStartedEventId, Is.EqualTo(0));
        Assert.That(absent.PreviousStartedEventId, Is.Null);
    }

    [Test]
    public void An_empty_string_and_an_absent_one_stay_distinct_both_ways()
    {
        var empty = JsonSerializer.Deserialize("""{"taskToken":"t","activityId":"a","startedEventId":1,"input":""}""", SwfJsonContext.Default.ActivityTask)!;
        var absent = JsonSerializer.Deserialize("""{"taskToken":"t","activityId":"a","startedEventId":1}""", SwfJsonContext.Default.ActivityTask)!;

        Assert.That(empty.Input, Is.EqualTo(""));
        Assert.That(absent.Input, Is.Null);
        Assert.That(JsonSerializer.Serialize(new RespondActivityTaskCompletedInput { TaskToken = "t", Result = "" }, SwfJsonContext.Default.RespondActivityTaskCompletedInput),
            Is.EqualTo("""{"taskToken":"t","result":""}"""));
        Assert.That(JsonSerializer.Serialize(new RespondActivityTaskCompletedInput { TaskToken = "t" }, SwfJsonContext.Default.RespondActivityTaskCompletedInput),
            Is.EqualTo("""{"taskToken":"t"}"""));
    }

    [Test]
    public void An_empty_decision_list_is_sent_and_an_absent_one_is_not()
    {
        Assert.That(JsonSerializer.Serialize(new RespondDecisionTaskCompletedInput { TaskToken = "t", Decisions = [] }, SwfJsonContext.Default.RespondDecisionTaskCompletedInput),
            Is.EqualTo("""{"taskToken":"t","decisions":[]}"""));
        Assert.That(JsonSerializer.Serialize(new RespondDecisionTaskCompletedInput { TaskToken = "t" }, SwfJsonContext.Default.RespondDecisionTaskCompletedInput),
            Is.EqualTo("""{"taskToken":"t"}"""));
    }

    [Test]
    public void A_zero_counter_is_sent_as_zero()
    {
        var json = JsonSerializer.Serialize(new ListDomainsInput { RegistrationStatus = RegistrationStatus.Registered, MaximumPageSize = 0, ReverseOrder = false },
            SwfJsonContext.Default.ListDomainsInput);

        Assert.That(json, Is.EqualTo("""{"registrationStatus":"REGISTERED","maximumPageSize":0,"reverseOrder":false}"""));
    }

    [Test]
    public void Timestamps_in_scientific_notation_are_read_in_a_full_answer()
    {
        const string body = """
            {"executionInfo":{"execution":{"workflowId":"w","runId":"r"},"workflowType":{"name":"t","version":"1"},
              "startTimestamp":1.49244396128E9,"closeTimestamp":1492443999.5,"executionStatus":"CLOSED","closeStatus":"COMPLETED","cancelRequested":false},
             "executionConfiguration":{"taskStartToCloseTimeout":"NONE","executionStartToCloseTimeout":"3600","taskList":{"name":"main"},"childPolicy":"TERMINATE"},
             "openCounts":{"openActivityTasks":0,"openDecisionTasks":0,"openTimers":0,"openChildWorkflowExecutions":0,"openLambdaFunctions":0},
             "latestActivityTaskTimestamp":1.4924439615E9}
            """;

        var detail = JsonSerializer.Deserialize(body, SwfJsonContext.Default.WorkflowExecutionDetail)!;

        Assert.That(detail.ExecutionInfo.StartTimestamp, Is.EqualTo(DateTimeOffset.FromUnixTimeMilliseconds(1_492_443_961_280)));
        Assert.That(detail.ExecutionInfo.CloseTimestamp, Is.EqualTo(DateTimeOffset.FromUnixTimeMilliseconds(1_492_443_999_500)));
        Assert.That(detail.LatestActivityTaskTimestamp, Is.EqualTo(DateTimeOffset.FromUnixTimeMilliseconds(1_492_443_961_500)));
        Assert.That(detail.ExecutionConfiguration.TaskStartToCloseTimeout, Is.EqualTo("NONE"));
        Assert.That(detail.OpenCounts.OpenLambdaFunctions, Is.EqualTo(0));
    }

    [Test]
    public void An_event_keeps_its_timestamp_as_the_same_instant_and_several_attribute_kinds_apart()
    {
        var local = new DateTimeOffset(2026, 12, 4, 10, 30, 0, 123, TimeSpan.FromHours(2));
        var e = new HistoryEvent { EventTimestamp = local };
        e.TimerStartedEventAttributes = new() { TimerId = "t" };
        e.TimerFiredEventAttributes = new() { TimerId = "f" };
        e.TimerCanceledEventAttributes = new() { TimerId = "c" };
        e.TimerFiredEventAttributes = null;

        Assert.That(e.EventTimestamp, Is.EqualTo(local));
        Assert.That(e.EventTimestamp.Offset, Is.EqualTo(TimeSpan.Zero), "SWF's epoch seconds have no offset");
        Assert.That(new HistoryEvent().EventTimestamp, Is.EqualTo(default(DateTimeOffset)));
        Assert.That(e.TimerStartedEventAttributes!.TimerId, Is.EqualTo("t"));
        Assert.That(e.TimerFiredEventAttributes, Is.Null);
        Assert.That(e.TimerCanceledEventAttributes!.TimerId, Is.EqualTo("c"));
        Assert.That(JsonSerializer.Serialize(e, SwfJsonContext.Default.HistoryEvent),
            Does.Contain("\"eventTimestamp\":1796373000.123").And.Contain("\"timerStartedEventAttributes\"").And.Not.Contain("timerFired"));
    }

    public static IEnumerable<TestCaseData> Histories() =>
        Directory.GetFiles(TestFiles.HistoriesFolder, "*.json").Order(StringComparer.Ordinal)
            .Select(f => new TestCaseData(f).SetArgDisplayNames(Path.GetFileName(f)));

    [Test]
    public void Every_shared_history_is_found() => Assert.That(Histories().Count(), Is.GreaterThanOrEqualTo(8));

    [TestCaseSource(nameof(Histories))]
    public void A_real_history_parses_with_every_event_carrying_its_attributes(string file)
    {
        var history = JsonSerializer.Deserialize(File.ReadAllText(file), SwfJsonContext.Default.History)!;

        Assert.That(history.Events, Is.Not.Empty);
        Assert.That(history.Events.Select(e => e.EventId), Is.Ordered.Ascending.Or.Ordered.Descending);
        history.Validate("");
    }

    [TestCaseSource(nameof(Histories))]
    public void A_real_history_written_back_is_the_JSON_SWF_sent(string file)
    {
        var original = JsonNode.Parse(File.ReadAllText(file))!;
        var history = JsonSerializer.Deserialize(original.ToJsonString(), SwfJsonContext.Default.History)!;

        var written = JsonNode.Parse(JsonSerializer.Serialize(history, SwfJsonContext.Default.History))!;

        // Numbers compare by value, so 1.492443961284E9 equals 1492443961.284.
        for (int i = 0; i < history.Events.Count; i++)
        {
            var expected = original["events"]![i]!;
            var actual = written["events"]![i]!;
            Assert.That(JsonNode.DeepEquals(expected, actual), Is.True,
                $"event {i + 1}:\n sent    {expected.ToJsonString()}\n written {actual.ToJsonString()}");
        }
    }
}
