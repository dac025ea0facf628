namespace Flow.Tests;

/// <summary>The repository the tests were built from, found above the test's output folder. CI builds map source
/// paths to /_/, so [CallerFilePath] cannot find files; the output folder always sits inside the clone.</summary>
internal static class TestRepository
{
    public static string Root { get; } = Find();

    public static string File(params string[] parts) => System.IO.Path.Combine([Root, .. parts]);

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (System.IO.File.Exists(System.IO.Path.Combine(dir.FullName, "Flow.sln")))
                return dir.FullName;
        }
        throw new DirectoryNotFoundException($"No Flow.sln above {AppContext.BaseDirectory}.");
    }
}
