using NUnit.Framework;

namespace Flow.Testing.Tests;

public sealed class DocTests
{
    [Test]
    public void The_README_shows_the_testing_example_the_tests_compile_and_run_verbatim()
    {
        var readme = File.ReadAllText(Path.Combine(Flow.Tests.TestRepository.Root, "README.md")).ReplaceLineEndings("\n");
        var section = readme.IndexOf("## Testing your workflows", StringComparison.Ordinal);
        Assert.That(section, Is.GreaterThanOrEqualTo(0), "README.md has no 'Testing your workflows' section");
        var doc = readme[section..];
        var example = File.ReadAllText(Path.Combine(Flow.Tests.TestRepository.Root, "tests", "Flow.Testing.Tests", "Example", "ReminderExample.cs")).ReplaceLineEndings("\n");

        var start = doc.IndexOf("```csharp\n", StringComparison.Ordinal);
        Assert.That(start, Is.GreaterThanOrEqualTo(0), "the README's testing section has no csharp code block");
        start += "```csharp\n".Length;
        var end = doc.IndexOf("```", start, StringComparison.Ordinal);

        Assert.That(doc[start..end], Is.EqualTo(example));
    }
}
