using Bunit;
using Microsoft.Extensions.DependencyInjection;
using MigrationPortal.Application.Requests;
using MigrationPortal.Application.Utilisation;
using MigrationPortal.Domain.Requests;
using MigrationPortal.Domain.Utilisation;
using MigrationPortal.Web.Components.Shared;
using MudBlazor.Services;

namespace MigrationPortal.Web.Tests.Components;

/// <summary>
/// The request page's "After the move" panel (issue 15 §4): the watch's state in words, the before/after chart of CPU per
/// 5-minute slot, the figures before → after, and the one-click roll back only when a regression offers it.
/// </summary>
public sealed class PostMoveWatchPanelTests : BunitContext
{
    private static readonly DateTimeOffset Verified = new(2026, 3, 2, 12, 0, 0, TimeSpan.Zero);

    public PostMoveWatchPanelTests()
    {
        Services.AddMudServices();
        JSInterop.Mode = JSRuntimeMode.Loose;
    }

    private static readonly Guid RollbackId = Guid.Parse("0b5e1d2c-0000-4000-8000-000000000042");

    private static PostMoveWatchView View(WatchState state, IReadOnlyList<WatchFigure>? figures = null, bool canRollBack = false, int after = 6, RequestState? rollback = null) => new(
        state, state switch
        {
            WatchState.Watching => "Watching the VM's performance until 2026-03-02 12:30 UTC, to compare with the 30 minutes before the move.",
            WatchState.InsufficientData => "Watched after the move: not enough data to judge (this is not a pass).",
            WatchState.Regressed => "Watched after the move: performance regressed.",
            _ => "Watched after the move: no regression.",
        },
        30, Verified.AddMinutes(-40), Verified.AddMinutes(-10), Verified, Verified.AddMinutes(30), state == WatchState.Watching ? null : Verified.AddMinutes(30),
        state == WatchState.Regressed ? "Performance regressed after the move: CPU used 1,000 → 3,000 MHz." : null,
        figures ?? [], rollback is null ? null : RollbackId, canRollBack,
        Enumerable.Range(0, 6).Select(i => new WatchPoint(i * 5, 1_000, 2_048)).ToList(),
        Enumerable.Range(0, after).Select(i => new WatchPoint(i * 5, 3_000, 2_048)).ToList(), rollback);

    [Fact]
    public void Render_ShowsTheStateInWordsAndTheBeforeAfterChart_WhileWatching()
    {
        var cut = Render<PostMoveWatchPanel>(p => p.Add(c => c.Watch, View(WatchState.Watching, after: 2)));

        Assert.Contains("Watching the VM's performance until 2026-03-02 12:30 UTC", cut.Find("[data-testid=watch-state]").TextContent);
        var chart = cut.Find("[data-testid=watch-chart]");
        Assert.Equal("img", chart.GetAttribute("role"));
        Assert.Contains("6 samples before, 2 after", chart.GetAttribute("aria-label"));
        // The MudBlazor chart draws both series: a legend entry each.
        Assert.Contains("Before the move (MHz)", chart.TextContent);
        Assert.Contains("After the move (MHz)", chart.TextContent);
        Assert.Empty(cut.FindAll("[data-testid=watch-rollback]"));
    }

    [Fact]
    public void Render_ShowsTheFiguresAndARollBackButton_ThatAsksForTheRollBack_WhenTheWatchRegressed()
    {
        var asked = 0;
        var figures = new[]
        {
            new WatchFigure(PostMoveComparison.CpuUsed, "MHz", 1_000, 3_000, true),
            new WatchFigure(PostMoveComparison.MemoryUsed, "MB", 2_048, 2_048, false),
        };
        var cut = Render<PostMoveWatchPanel>(p => p.Add(c => c.Watch, View(WatchState.Regressed, figures, canRollBack: true))
            .Add(c => c.OnRollBack, () => { asked++; return Task.FromResult<string?>(null); }));

        Assert.Contains("CPU used 1,000 → 3,000 MHz", cut.Find("[data-testid=watch-summary]").TextContent);
        var rows = cut.FindAll("[data-testid=watch-figure]").Select(r => r.TextContent.Replace("\n", " ")).ToList();
        Assert.Equal(2, rows.Count);
        Assert.Contains("1,000 MHz", rows[0]);
        Assert.Contains("3,000 MHz", rows[0]);
        Assert.Contains("Regressed", rows[0]);
        Assert.Contains("Within threshold", rows[1]);

        cut.Find("[data-testid=watch-rollback]").Click();

        Assert.Equal(1, asked);
    }

    [Fact]
    public void Render_ShowsTheRefusal_WhenTheRollBackIsRefused()
    {
        var cut = Render<PostMoveWatchPanel>(p => p.Add(c => c.Watch, View(WatchState.Regressed, canRollBack: true))
            .Add(c => c.OnRollBack, () => Task.FromResult<string?>("The source host esx-1 no longer exists in the inventory: the VM cannot be moved back to it.")));

        cut.Find("[data-testid=watch-rollback]").Click();

        Assert.Contains("no longer exists", cut.Find("[data-testid=watch-rollback-error]").TextContent);
    }

    [Fact]
    public void Render_SaysWhatWasComparedAndHowToGoBack_InsteadOfARollBackButton_WhenAConversionRegressed()
    {
        var conversion = View(WatchState.Regressed) with
        {
            Comparison = PostMoveWatchView.ConversionComparison, NoRollBack = PostMoveWatchView.ConversionRollBack,
        };
        var cut = Render<PostMoveWatchPanel>(p => p.Add(c => c.Watch, conversion));

        Assert.Contains("the source VM on vSphere", cut.Find("[data-testid=watch-comparison]").TextContent);
        Assert.Contains("power the source VM on again in vCenter", cut.Find("[data-testid=watch-no-rollback]").TextContent);
        Assert.Empty(cut.FindAll("[data-testid=watch-rollback]"));
    }

    [Fact]
    public void Render_SaysItIsNotAPass_AndOffersNoRollBack_WhenThereWasTooLittleData()
    {
        var cut = Render<PostMoveWatchPanel>(p => p.Add(c => c.Watch, View(WatchState.InsufficientData, after: 1)));

        Assert.Contains("not a pass", cut.Find("[data-testid=watch-state]").TextContent);
        Assert.Empty(cut.FindAll("[data-testid=watch-rollback]"));
    }

    [Theory]
    [InlineData(RequestState.PendingApproval, "Roll back requested: request", "(Pending approval)")]
    [InlineData(RequestState.Running, "Roll back requested: request", "(Running)")]
    [InlineData(RequestState.Succeeded, "Rolled back: request", "moved the VM back to its source")]
    // A failed request may still be retried by an Operator: not ended, so still "requested", with its state.
    [InlineData(RequestState.Failed, "Roll back requested: request", "(Failed)")]
    [InlineData(RequestState.Rejected, "Roll back not done: request", "ended Rejected")]
    public void Render_SaysWhereTheRollBackStands_OnceOneWasAskedFor(RequestState rollback, string opening, string ending)
    {
        var cut = Render<PostMoveWatchPanel>(p => p.Add(c => c.Watch, View(WatchState.Regressed, rollback: rollback)));

        var text = cut.Find("[data-testid=watch-rollback-link]").TextContent.ReplaceLineEndings(" ");
        Assert.Contains(opening, text);
        Assert.Contains(ending, text);
        Assert.Equal($"/requests/{RollbackId}", cut.Find("[data-testid=watch-rollback-link] a").GetAttribute("href"));
        Assert.Empty(cut.FindAll("[data-testid=watch-rollback]"));
    }
}
