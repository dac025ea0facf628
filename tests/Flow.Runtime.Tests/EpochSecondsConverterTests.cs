using System.Text.Json;
using Flow.Swf;

namespace Flow.Runtime.Tests;

public class EpochSecondsConverterTests
{
    [TestCase("1492443961.284", 1492443961284L)]
    [TestCase("1.492443961284E9", 1492443961284L)]
    [TestCase("1492443961", 1492443961000L)]
    public void Reads_epoch_seconds_in_every_spelling_SWF_uses(string json, long expectedMs)
    {
        var evt = JsonSerializer.Deserialize(
            $$"""{"eventId":1,"eventType":"WorkflowExecutionStarted","eventTimestamp":{{json}}}""",
            SwfJsonContext.Default.HistoryEvent)!;
        Assert.That(evt.EventTimestamp.ToUnixTimeMilliseconds(), Is.EqualTo(expectedMs));
    }

    [Test]
    public void Writes_whole_milliseconds_as_fractional_seconds()
    {
        var evt = new HistoryEvent
        {
            EventId = 1,
            EventType = EventType.WorkflowExecutionStarted,
            EventTimestamp = DateTimeOffset.FromUnixTimeMilliseconds(1492443961280),
        };
        var json = JsonSerializer.Serialize(evt, SwfJsonContext.Default.HistoryEvent);
        Assert.That(json, Does.Contain("\"eventTimestamp\":1492443961.28"));
    }
}
