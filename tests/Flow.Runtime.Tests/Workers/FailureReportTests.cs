using System.Text.Json;
using Flow.Swf;
using Flow.Workers;
using Microsoft.Extensions.DependencyInjection;

namespace Flow.Runtime.Tests.Workers;

/// <summary>A failure is always reported, whatever the exception does when it is described, and cut to SWF's limits
/// keeping all the text that fits.</summary>
[TestFixture]
public class FailureReportTests
{
    private sealed class NullMessageException : Exception
    {
        public override string Message => null!;
    }

    private sealed class ThrowingMessageException : Exception
    {
        public override string Message => throw new InvalidOperationException("no message for you");
    }

    private sealed class ThrowingToStringException() : Exception("has a message")
    {
        public override string ToString() => throw new InvalidOperationException("no text for you");
    }

    private sealed class ThrowingStackException() : Exception("has a message")
    {
        public override string StackTrace => throw new InvalidOperationException("no stack for you");
    }

    private static readonly Func<Exception>[] Indescribable =
    [
        () => new NullMessageException(),
        () => new ThrowingMessageException(),
        () => new ThrowingStackException(),
        () => new AggregateException(new ThrowingMessageException()),
        () => new AggregateException(new NullMessageException(), new ThrowingToStringException()),
        () => new InvalidOperationException("outer", new ThrowingToStringException()),
        () => new InvalidOperationException("outer", new ThrowingMessageException()),
    ];

    private static IEnumerable<TestCaseData> IndescribableCases() =>
        Indescribable.Select((make, i) => new TestCaseData(make).SetArgDisplayNames(i + ": " + make().GetType().Name));

    [TestCaseSource(nameof(IndescribableCases))]
    public async Task An_activity_exception_that_cannot_be_described_still_fails_the_task_at_once(Func<Exception> make)
    {
        await using var h = new Harness();
        var broken = Harness.Activity("Indescribable");
        var definition = Harness.Workflow("Reporting");
        await h.StartWorkflowWorker([Harness.Handler(definition, async (_, _) =>
        {
            try
            {
                await Workflow.ExecuteActivityAsync(broken, null);
                return "no failure";
            }
            catch (ActivityFailedException ex)
            {
                return ex.Reason;
            }
        })]);
        await h.StartActivityWorker([new(broken, async (_, _) =>
        {
            await Task.Yield();
            throw make();
        })]);

        var run = await h.Client.StartAsync(definition, "indescribable", null);

        var expectedType = make().GetType().FullName;
        Assert.That(await h.Result(run), Is.EqualTo(expectedType));
        var failed = (await h.History(run)).Single(e => e.EventType == EventType.ActivityTaskFailed).ActivityTaskFailedEventAttributes!;
        using var details = JsonDocument.Parse(failed.Details!);
        Assert.That(details.RootElement.GetProperty("type").GetString(), Is.EqualTo(expectedType));
        Assert.That(details.RootElement.GetProperty("message").ValueKind, Is.EqualTo(JsonValueKind.String));
        Assert.That(details.RootElement.GetProperty("stack").ValueKind, Is.EqualTo(JsonValueKind.String));
    }

    [Test]
    public void Details_say_which_part_of_an_exception_could_not_be_read()
    {
        using var message = JsonDocument.Parse(ActivityFailure.Details(new ThrowingMessageException()));
        Assert.That(message.RootElement.GetProperty("message").GetString(),
            Is.EqualTo($"(the message of this {typeof(ThrowingMessageException).FullName} could not be read: its Message threw System.InvalidOperationException)"));

        using var stack = JsonDocument.Parse(ActivityFailure.Details(new ThrowingStackException()));
        Assert.That(stack.RootElement.GetProperty("message").GetString(), Is.EqualTo("has a message"));
        Assert.That(stack.RootElement.GetProperty("stack").GetString(), Does.Contain("StackTrace threw System.InvalidOperationException"));

        using var inner = JsonDocument.Parse(ActivityFailure.Details(new InvalidOperationException("outer", new ThrowingToStringException())));
        Assert.That(inner.RootElement.GetProperty("message").GetString(), Is.EqualTo("outer"));
        Assert.That(inner.RootElement.GetProperty("stack").GetString(), Does.Contain($"---> {typeof(ThrowingToStringException).FullName}: has a message"));

        using var aggregate = JsonDocument.Parse(ActivityFailure.Details(new AggregateException(new InvalidOperationException("one"), new ArgumentException("two"))));
        Assert.That(aggregate.RootElement.GetProperty("stack").GetString(),
            Does.Contain("(Inner Exception #0) System.InvalidOperationException: one").And.Contain("(Inner Exception #1) System.ArgumentException: two"));
    }

    /// <summary>Creating the task's service scope throws: the worker's own fault, answered at once.</summary>
    private sealed class BrokenScopes : IServiceProvider, IServiceScopeFactory
    {
        public object? GetService(Type serviceType) => serviceType == typeof(IServiceScopeFactory) ? this : null;
        public IServiceScope CreateScope() => throw new InvalidOperationException("the scope is broken");
    }

    [Test]
    public async Task A_fault_in_the_workers_own_code_still_answers_the_task()
    {
        await using var h = new Harness();
        var scoped = Harness.Activity("Scoped");
        var definition = Harness.Workflow("ScopeBroken");
        await h.StartWorkflowWorker([Harness.Handler(definition, async (_, _) =>
        {
            try
            {
                return await Workflow.ExecuteActivityAsync(scoped, null);
            }
            catch (ActivityFailedException ex)
            {
                return ex.Reason + ": " + ex.ErrorMessage;
            }
        })]);
        bool ran = false;
        await h.StartActivityWorker([new(scoped, (_, _) =>
        {
            ran = true;
            return Task.FromResult<string?>("ran");
        })], o => o with { Services = new BrokenScopes() });

        var run = await h.Client.StartAsync(definition, "scope-broken", null);

        Assert.That(await h.Result(run), Does.StartWith("Flow.ActivityWorkerError: Worker ").And.Contain("the scope is broken"));
        Assert.That(ran, Is.False);
    }

    [Test]
    public async Task A_workflow_exception_whose_message_throws_fails_the_run_with_a_fallback_description()
    {
        await using var h = new Harness();
        var definition = Harness.Workflow("IndescribableWorkflow");
        await h.StartWorkflowWorker([Harness.Handler(definition, async (_, _) =>
        {
            await Task.Yield();
            throw new ThrowingMessageException();
        })]);

        var run = await h.Client.StartAsync(definition, "indescribable-workflow", null);

        var failed = Assert.ThrowsAsync<WorkflowFailedException>(() => h.Result(run));
        Assert.That(failed!.Reason, Is.EqualTo(typeof(ThrowingMessageException).FullName));
        Assert.That(failed.Details, Does.StartWith($"(the message of this {typeof(ThrowingMessageException).FullName} could not be read"));
        Assert.That((await h.History(run)).Count(e => e.EventType == EventType.DecisionTaskTimedOut), Is.Zero);
    }

    private const string Emoji = "\U0001F600"; // two UTF-16 code units

    [Test]
    public void A_message_of_20000_emoji_keeps_the_longest_prefix_that_fits_and_never_splits_a_pair()
    {
        string message = string.Concat(Enumerable.Repeat(Emoji, 20_000));

        string stack = string.Concat(Enumerable.Repeat("   at Somewhere()\n", 100));

        string details = ActivityFailure.Details("Big.Exception", message, stack);

        Assert.That(details.Length, Is.LessThanOrEqualTo(ActivityFailure.MaxDetails));
        Assert.That(ActivityFailure.MaxDetails - details.Length, Is.LessThan(Emoji.Length), "another emoji would have fitted");
        AssertWellFormed(details);
        using var json = JsonDocument.Parse(details);
        string kept = json.RootElement.GetProperty("message").GetString()!;
        int marker = kept.IndexOf(" …[cut by Flow: ", StringComparison.Ordinal);
        Assert.That(marker, Is.GreaterThan(32_000), "nearly all of the field is the message");
        Assert.That(message.StartsWith(kept[..marker], StringComparison.Ordinal));
        Assert.That(kept[marker..], Is.EqualTo($" …[cut by Flow: {message.Length - marker} characters omitted]"));
        Assert.That(json.RootElement.GetProperty("stack").GetString(), Is.EqualTo($" …[cut by Flow: {stack.Length} characters omitted]"));
    }

    [Test]
    public void A_huge_message_and_stack_still_fit_exactly_with_the_base_types_kept_whole()
    {
        string message = string.Concat(Enumerable.Repeat(Emoji, 20_000));
        string stack = string.Concat(Enumerable.Repeat("   at Somewhere()\n", 2_000));
        string[] bases = ["Big.BaseException", "System.IO.IOException", "System.SystemException", "System.Exception"];

        string details = ActivityFailure.Details("Big.Exception", bases, message, stack);

        Assert.That(details.Length, Is.LessThanOrEqualTo(ActivityFailure.MaxDetails));
        Assert.That(ActivityFailure.MaxDetails - details.Length, Is.LessThan(Emoji.Length), "another emoji would have fitted");
        using var json = JsonDocument.Parse(details);
        Assert.That(json.RootElement.GetProperty("bases").EnumerateArray().Select(b => b.GetString()), Is.EqualTo(bases));
        Assert.That(json.RootElement.GetProperty("message").GetString(), Does.Contain(" …[cut by Flow: "));
    }

    private class BaseOfThrown(string message) : IOException(message);

    private sealed class Thrown(string message) : BaseOfThrown(message);

    [Test]
    public void Details_name_the_exceptions_base_types_nearest_first_without_system_object()
    {
        using var json = JsonDocument.Parse(ActivityFailure.Details(new Thrown("dropped")));

        Assert.That(json.RootElement.GetProperty("bases").EnumerateArray().Select(b => b.GetString()),
            Is.EqualTo(new[] { typeof(BaseOfThrown).FullName, "System.IO.IOException", "System.SystemException", "System.Exception" }));
    }

    [Test]
    public void Details_without_an_exception_name_no_base_types()
    {
        string details = ActivityFailure.Details("Flow.UnknownActivityType", "no such activity", "");

        Assert.That(details, Is.EqualTo("""{"type":"Flow.UnknownActivityType","message":"no such activity","stack":""}"""));
    }

    [Test]
    public void Base_types_beyond_their_budget_are_left_off_farthest_first()
    {
        string[] bases = Enumerable.Range(0, 40).Select(i => $"B{i:00}." + new string('b', 197)).ToArray();

        string details = ActivityFailure.Details("T", bases, "message", "stack");

        // Each name costs its 200 characters, two quotes and a comma; with ,"bases":[] they stay within 4,096.
        FailureText.Decode("T", details, out var kept);
        Assert.That(kept, Is.EqualTo(bases[..20]));
        Assert.That(details, Does.EndWith("\"message\":\"message\",\"stack\":\"stack\"}"));
    }

    [Test]
    public void A_base_type_name_longer_than_a_reason_is_left_out_whole_not_cut()
    {
        string longName = "A." + new string('B', 300);

        string details = ActivityFailure.Details("T", [longName, "System.IO.IOException", "System.Exception"], "m", "s");

        FailureText.Decode("T", details, out var kept);
        Assert.That(kept, Is.EqualTo(new[] { "System.IO.IOException", "System.Exception" }));
    }

    private class GenericBase<T>(string message) : IOException(message);

    private sealed class GenericThrown(string message) : GenericBase<Dictionary<string, List<int>>>(message);

    [Test]
    public void Generic_types_are_named_without_their_type_arguments()
    {
        var thrown = new GenericThrown("generic");

        var (type, _, _) = FailureText.Decode("r", ActivityFailure.Details(thrown), out var bases);

        Assert.That(type, Is.EqualTo(typeof(GenericThrown).FullName));
        Assert.That(bases[0], Is.EqualTo(typeof(GenericBase<>).FullName), "no [[System.String, System.Private.CoreLib, Version=…]]");
        Assert.That(bases, Has.None.Contain("["));
    }

    [Test]
    public void Decoding_details_gives_back_type_message_stack_and_base_types()
    {
        var thrown = new Thrown("dropped \"mid\" body");
        string details = ActivityFailure.Details(thrown);

        var (type, message, stack) = FailureText.Decode("reason", details, out var bases);

        Assert.That(type, Is.EqualTo(typeof(Thrown).FullName));
        Assert.That(message, Is.EqualTo("dropped \"mid\" body"));
        Assert.That(stack, Is.EqualTo(""));
        Assert.That(bases, Is.EqualTo(new[] { typeof(BaseOfThrown).FullName, "System.IO.IOException", "System.SystemException", "System.Exception" }));
    }

    [Test]
    public void Details_that_name_no_base_types_decode_with_none()
    {
        Assert.That(FailureText.Decode("r", """{"type":"Other","message":"m","stack":"s"}""", out var none), Is.EqualTo(("Other", "m", "s")));
        Assert.That(none, Is.Empty);
        FailureText.Decode("r", "plain text", out var raw);
        Assert.That(raw, Is.Empty);
        FailureText.Decode("r", """{"type":"Other","bases":["A",1,{"x":"y"},"B"],"message":"m"}""", out var mixed);
        Assert.That(mixed, Is.EqualTo(new[] { "A", "B" }), "what is not a string is skipped");
    }

    [Test]
    public void Text_that_grows_when_escaped_is_cut_by_its_escaped_length()
    {
        string message = string.Concat(Enumerable.Repeat("\"\\\n\u0001é", 10_000));

        string details = ActivityFailure.Details("Quoted.Exception", message, "");

        Assert.That(details.Length, Is.LessThanOrEqualTo(ActivityFailure.MaxDetails));
        Assert.That(ActivityFailure.MaxDetails - details.Length, Is.LessThan(6), "the next character (at most a 6-character escape) would have fitted");
        using var json = JsonDocument.Parse(details);
        string kept = json.RootElement.GetProperty("message").GetString()!;
        int marker = kept.IndexOf(" …[cut by Flow: ", StringComparison.Ordinal);
        Assert.That(message.StartsWith(kept[..marker], StringComparison.Ordinal));
        Assert.That(kept[..marker].Length, Is.GreaterThan(32_768 / 3));
    }

    [Test]
    public void Text_that_fits_is_kept_whole_and_a_lone_surrogate_becomes_the_replacement_character()
    {
        string emoji = string.Concat(Enumerable.Repeat(Emoji, 16_000));

        string details = ActivityFailure.Details("T", emoji + "\uD800", "");

        Assert.That(details, Does.Not.Contain("cut by Flow"));
        AssertWellFormed(details);
        using var json = JsonDocument.Parse(details);
        Assert.That(json.RootElement.GetProperty("message").GetString(), Is.EqualTo(emoji + "\uFFFD"));
    }

    [Test]
    public void Details_from_elsewhere_that_json_cannot_read_back_stay_raw()
    {
        const string details = """{"type":"Other","message":"half a pair: \ud800"}""";

        Assert.That(FailureText.Decode("reason", details), Is.EqualTo(("reason", details, (string?)null)));
    }

    [Test]
    public void A_reason_is_cut_to_256_characters_without_splitting_a_pair()
    {
        Assert.That(ActivityFailure.Reason(new string('T', 255) + Emoji), Is.EqualTo(new string('T', 255)));
        Assert.That(ActivityFailure.Reason(new string('T', 254) + Emoji + "x"), Is.EqualTo(new string('T', 254) + Emoji));
    }

    [Test]
    public async Task A_huge_emoji_message_from_an_activity_reaches_the_workflow_cut_to_fit()
    {
        await using var h = new Harness();
        var loud = Harness.Activity("Loud");
        var definition = Harness.Workflow("LoudFailure");
        await h.StartWorkflowWorker([Harness.Handler(definition, async (_, _) =>
        {
            try
            {
                return await Workflow.ExecuteActivityAsync(loud, null);
            }
            catch (ActivityFailedException ex)
            {
                return ex.ErrorMessage;
            }
        })]);
        await h.StartActivityWorker([new(loud, (_, _) => throw new InvalidOperationException(string.Concat(Enumerable.Repeat(Emoji, 20_000))))]);

        var run = await h.Client.StartAsync(definition, "loud", null);

        string message = (await h.Result(run))!;
        Assert.That(message, Does.StartWith(string.Concat(Enumerable.Repeat(Emoji, 15_000))).And.Contain("[cut by Flow: "));
    }

    [Test]
    public async Task An_activity_failure_reaches_the_workflow_with_the_base_types_of_its_exception()
    {
        await using var h = new Harness();
        var dropping = Harness.Activity("Dropping");
        var definition = Harness.Workflow("DroppedConnection");
        await h.StartWorkflowWorker([Harness.Handler(definition, async (_, _) =>
        {
            try
            {
                return await Workflow.ExecuteActivityAsync(dropping, null);
            }
            catch (ActivityFailedException ex)
            {
                return string.Join(",", ex.ErrorBaseTypes);
            }
        })]);
        await h.StartActivityWorker([new(dropping, (_, _) => throw new Thrown("the connection dropped"))]);

        var run = await h.Client.StartAsync(definition, "dropped", null);

        Assert.That(await h.Result(run), Is.EqualTo($"{typeof(BaseOfThrown).FullName},System.IO.IOException,System.SystemException,System.Exception"));
    }

    private static void AssertWellFormed(string text)
    {
        for (int i = 0; i < text.Length; i++)
        {
            if (char.IsHighSurrogate(text[i]))
                Assert.That(i + 1 < text.Length && char.IsLowSurrogate(text[++i]), $"a lone high surrogate at {i}");
            else
                Assert.That(char.IsLowSurrogate(text[i]), Is.False, $"a lone low surrogate at {i}");
        }
    }
}
