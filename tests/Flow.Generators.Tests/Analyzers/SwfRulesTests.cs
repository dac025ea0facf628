using Flow.Generators.Analyzers;

namespace Flow.Generators.Tests.Analyzers;

public sealed class SwfRulesTests
{
    [TestCase("IFileActivities", "FileActivities")]
    [TestCase("Inbox", "Inbox")]
    [TestCase("I", "I")]
    [TestCase("Orders", "Orders")]
    public void The_contract_base_name_drops_only_an_interface_prefix(string interfaceName, string expected) =>
        Assert.That(SwfRules.ContractBaseName(interfaceName), Is.EqualTo(expected));

    [TestCase("DownloadAsync", "Download")]
    [TestCase("Async", "Async")]
    [TestCase("Run", "Run")]
    public void The_method_base_name_drops_an_Async_suffix(string methodName, string expected) =>
        Assert.That(SwfRules.MethodBaseName(methodName), Is.EqualTo(expected));

    [Test]
    public void Default_names_follow_the_Contract_dot_method_convention()
    {
        Assert.That(SwfRules.DefaultActivityName(SwfRules.ContractBaseName("IFileActivities"), "DownloadAsync"), Is.EqualTo("FileActivities.Download"));
        Assert.That(SwfRules.DefaultWorkflowName("IFileProcessing", "RunAsync"), Is.EqualTo("FileProcessing.Run"));
        Assert.That(SwfRules.DefaultSignalName("CancelAsync"), Is.EqualTo("Cancel"));
    }

    [TestCase("00:10:00", "600")]
    [TestCase("1.00:00:00", "86400")]
    [TestCase("00:00:00", "0")]
    [TestCase("1157.09:46:39", "99999999")]
    [TestCase("NONE", "NONE")]
    public void Valid_timeouts_become_SWF_seconds(string timeout, string seconds)
    {
        Assert.That(SwfRules.CheckTimeout(timeout, allowNone: true, SwfRules.MaxDurationSeconds, out var swf), Is.Null);
        Assert.That(swf, Is.EqualTo(seconds));
    }

    [TestCase("1157.09:46:40")]
    [TestCase("30")]
    [TestCase("1.5")]
    [TestCase("soon")]
    [TestCase("25:00:00")]
    [TestCase("")]
    [TestCase("-00:00:01")]
    [TestCase("00:00:00.001")]
    [TestCase("None")]
    public void Invalid_timeouts_give_a_reason(string timeout) =>
        Assert.That(SwfRules.CheckTimeout(timeout, allowNone: true, SwfRules.MaxDurationSeconds, out _), Is.Not.Null);

    [Test]
    public void Execution_timeouts_refuse_NONE_and_more_than_a_year()
    {
        Assert.That(SwfRules.CheckTimeout("NONE", allowNone: false, SwfRules.MaxExecutionSeconds, out _), Does.Contain("NONE"));
        Assert.That(SwfRules.CheckTimeout("365.00:00:00", allowNone: false, SwfRules.MaxExecutionSeconds, out _), Is.Null);
        Assert.That(SwfRules.CheckTimeout("365.00:00:01", allowNone: false, SwfRules.MaxExecutionSeconds, out _), Is.Not.Null);
    }

    [TestCase("a:b")]
    [TestCase("a/b")]
    [TestCase("a|b")]
    [TestCase("a\u0000b")]
    [TestCase("a\u001fb")]
    [TestCase("a\u007fb")]
    [TestCase("a\u009fb")]
    [TestCase("arn")]
    [TestCase("")]
    public void Identifiers_SWF_rejects_give_a_reason(string value) =>
        Assert.That(SwfRules.CheckIdentifier(value, SwfRules.MaxNameLength), Is.Not.Null);

    [TestCase("Files.Download")]
    [TestCase("arn2")]
    [TestCase("Arn")]
    [TestCase("a\u00a0b")]
    [TestCase("ünïcode name")]
    public void Identifiers_SWF_accepts_pass(string value) =>
        Assert.That(SwfRules.CheckIdentifier(value, SwfRules.MaxNameLength), Is.Null);

    [Test]
    public void Identifiers_are_limited_by_length()
    {
        Assert.That(SwfRules.CheckIdentifier(new string('v', 64), SwfRules.MaxVersionLength), Is.Null);
        Assert.That(SwfRules.CheckIdentifier(new string('v', 65), SwfRules.MaxVersionLength), Is.Not.Null);
        Assert.That(SwfRules.CheckIdentifier(new string('n', 256), SwfRules.MaxNameLength), Is.Null);
        Assert.That(SwfRules.CheckIdentifier(new string('n', 257), SwfRules.MaxNameLength), Is.Not.Null);
    }

    [Test]
    public void Control_characters_are_escaped_in_messages() =>
        Assert.That(SwfRules.Display("a\u0001b"), Is.EqualTo("\"a\\u0001b\""));
}
