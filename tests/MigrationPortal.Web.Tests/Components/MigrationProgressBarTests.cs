using Bunit;
using MigrationPortal.Application.Requests;
using MigrationPortal.Web.Components.Shared;

namespace MigrationPortal.Web.Tests.Components;

public sealed class MigrationProgressBarTests : ComponentTestContext
{
    [Fact]
    public void Render_FollowsASequenceOfProgressEvents()
    {
        var cut = Render<MigrationProgressBar>(p => p.Add(c => c.Progress, null));
        Assert.NotNull(cut.Find("[data-testid=progress-none]"));

        var at = new DateTimeOffset(2026, 11, 25, 10, 0, 0, TimeSpan.Zero);
        var sequence = new[]
        {
            new ProgressView("transferring", 10, 1L << 30, 10L << 30, 90, at),
            new ProgressView("transferring", 55.4, 5L << 30, 10L << 30, 40, at.AddSeconds(1)),
            new ProgressView("switching over", 95, 9L << 30, 10L << 30, 3, at.AddSeconds(2)),
            new ProgressView("done", 100, null, null, 0, at.AddSeconds(3)),
        };
        var seen = new List<string>();
        foreach (var progress in sequence)
        {
            cut.Render(p => p.Add(c => c.Progress, progress));
            seen.Add(cut.Find("[data-testid=progress]").GetAttribute("data-percent")!);
            var text = cut.Find("[data-testid=progress-text]").TextContent;
            Assert.Contains(progress.Phase, text);
            if (progress.BytesTotal is not null) Assert.Contains("of 10.0 GiB", text);
            if (progress.Percent < 100) Assert.Contains("left", text);
            else Assert.DoesNotContain("left", text);
        }

        Assert.Equal(["10", "55", "95", "100"], seen);
    }
}
