using Flow.Swf;

namespace Flow.Runtime.Tests.Workers;

/// <summary>A failed run's exception says what went wrong in its message, not only its reason (an exception type name).</summary>
public class WorkflowFailedExceptionTests
{
    private static readonly WorkflowExecution Run = new() { WorkflowId = "w", RunId = "r" };

    [Test]
    public void The_message_carries_the_first_line_of_the_details_and_not_the_stack()
    {
        var error = new WorkflowFailedException(Run, CloseStatus.Failed, "Flow.ScheduleActivityTaskFailedException",
            "SWF could not schedule activity Greeting.Compose 1.0 (id 1): ACTIVITY_TYPE_DOES_NOT_EXIST.\n   at Flow.Workflows.WorkflowContext.Apply()");

        Assert.That(error.Message, Is.EqualTo(
            "Workflow w (r) closed as Failed: Flow.ScheduleActivityTaskFailedException: " +
            "SWF could not schedule activity Greeting.Compose 1.0 (id 1): ACTIVITY_TYPE_DOES_NOT_EXIST."));
    }

    [TestCase(null)]
    [TestCase("")]
    [TestCase(" \r\n ")]
    public void Without_details_the_message_is_the_reason(string? details)
    {
        var error = new WorkflowFailedException(Run, CloseStatus.Failed, "Boom", details);

        Assert.That(error.Message, Is.EqualTo("Workflow w (r) closed as Failed: Boom"));
    }

    [Test]
    public void A_long_first_line_is_cut_with_a_visible_mark()
    {
        var error = new WorkflowFailedException(Run, CloseStatus.Failed, "Boom", new string('x', 2_000));

        Assert.That(error.Message, Does.EndWith(new string('x', 500) + "…").And.Length.LessThan(600));
    }
}
