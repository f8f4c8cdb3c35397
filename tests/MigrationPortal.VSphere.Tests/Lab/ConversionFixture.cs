using System.Diagnostics;

namespace MigrationPortal.VSphere.Tests.Lab;

/// <summary>
/// The simulator's conversion fixture (conv-vm, tests/lab/vcsim/conversion-fixture.sh): VCSIM_CONVERSION_FIXTURE, which
/// ci-setup.sh exports. Outside CI a missing one is built (cached) with the script; with CI=true it fails, never skips.
/// </summary>
public static class ConversionFixture
{
    public const string Vm = "conv-vm";
    private static readonly Lazy<Task<string>> Built = new(BuildAsync);

    public static async Task<IReadOnlyDictionary<string, string>> LoadAsync()
    {
        var dir = Environment.GetEnvironmentVariable("VCSIM_CONVERSION_FIXTURE") is { Length: > 0 } set ? set
            : string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase)
                ? throw new InvalidOperationException("VCSIM_CONVERSION_FIXTURE is not set: scripts/test.sh sources tests/lab/vcsim/ci-setup.sh, which builds the fixture and exports it.")
                : await Built.Value;
        var env = (await File.ReadAllLinesAsync(Path.Combine(dir, "fixture.env"))).Where(l => l.Contains('='))
            .ToDictionary(l => l[..l.IndexOf('=')], l => l[(l.IndexOf('=') + 1)..]);
        env["DIR"] = dir;
        return env;
    }

    public static Task<VcsimLab> StartLabAsync(IReadOnlyDictionary<string, string> fixture) =>
        VcsimLab.StartAsync(clusters: 1, taskDuration: TimeSpan.FromMilliseconds(100), startTimeout: TimeSpan.FromMinutes(2), extraArgs: ["-conversion-fixture", fixture["DIR"]]);

    private static async Task<string> BuildAsync()
    {
        var root = AppContext.BaseDirectory;
        while (root is not null && !File.Exists(Path.Combine(root, "MigrationPortal.sln"))) root = Path.GetDirectoryName(root);
        if (root is null) throw new InvalidOperationException("VCSIM_CONVERSION_FIXTURE is not set and the repository root was not found to build it.");
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(root, "tests", "lab", "vcsim", "conversion-fixture.sh"));
        using var build = Process.Start(start)!;
        var stderr = build.StandardError.ReadToEndAsync();
        var stdout = await build.StandardOutput.ReadToEndAsync();
        await build.WaitForExitAsync();
        if (build.ExitCode != 0) throw new InvalidOperationException($"Building the conversion fixture failed:\n{await stderr}");
        return stdout.Trim().Split('\n')[^1].Trim();
    }
}
