using Microsoft.CodeAnalysis;

namespace Flow.Generators.Tests;

/// <summary>Compares generated sources with the expected files in Snapshots/. A missing or different file fails the
/// test; FLOW_ACCEPT_SNAPSHOTS=1 (re)writes them, and is the only way they are ever written.</summary>
internal static class Snapshot
{
    private static string Directory() => Flow.Tests.TestRepository.File("tests", "Flow.Generators.Tests", "Snapshots");

    private static bool Accept => Environment.GetEnvironmentVariable("FLOW_ACCEPT_SNAPSHOTS") == "1";

    public static void Verify(string name, GeneratorDriverRunResult result)
    {
        var directory = Directory();
        var generated = result.Results.SelectMany(r => r.GeneratedSources)
            .ToDictionary(s => Path.Combine(directory, $"{name}.{s.HintName}"), s => s.SourceText.ToString().ReplaceLineEndings("\n"));
        var expected = System.IO.Directory.GetFiles(directory, $"{name}.*").ToHashSet();

        if (Accept)
        {
            foreach (var stale in expected.Except(generated.Keys))
            {
                File.Delete(stale);
            }

            foreach (var (path, text) in generated)
            {
                File.WriteAllText(path, text);
            }

            return;
        }

        Assert.Multiple(() =>
        {
            foreach (var (path, text) in generated)
            {
                Assert.That(File.Exists(path), Is.True, $"No expected file {Path.GetFileName(path)}; review the output and run with FLOW_ACCEPT_SNAPSHOTS=1 to write it.");
                if (File.Exists(path))
                {
                    Assert.That(text, Is.EqualTo(File.ReadAllText(path).ReplaceLineEndings("\n")), $"{Path.GetFileName(path)} differs from the generated source.");
                }
            }

            Assert.That(expected.Except(generated.Keys).Select(Path.GetFileName), Is.Empty, "Expected files that the generator no longer produces.");
        });
    }
}
