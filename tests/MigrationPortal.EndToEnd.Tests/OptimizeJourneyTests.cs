using Deque.AxeCore.Commons;
using Deque.AxeCore.Playwright;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using MigrationPortal.Application.Audit;
using MigrationPortal.Infrastructure.Persistence;
using Xunit.Abstractions;

namespace MigrationPortal.EndToEnd.Tests;

/// <summary>
/// The Optimize page in Chromium (issue 15): an Operator picks a demo cluster, asks for a balance recommendation on the
/// week of demo load the portal backfilled at its first start, reads the what-if (chart and table) and the moves, has
/// axe-core check that state in light and dark, accepts it, and finds the one batch it made with one request per move
/// shown; an Auditor then sees optimize.recommendation-accepted on the audit page. A consolidation recommendation shows the
/// hosts it frees and what that saves. Waiting is by page state, never by sleeping.
/// </summary>
public sealed class OptimizeJourneyTests(PortalServer portal, ITestOutputHelper output) : IClassFixture<PortalServer>
{
    private const string Operator = "olga";
    private const string Auditor = "aldo";
    private const string Cluster = "Demo-Cluster-A";

    [Fact]
    public async Task Journey_OperatorBalancesACluster_ChecksItWithAxe_AcceptsIt_AndFindsTheBatchAndTheAuditEntry()
    {
        // 1. The recommendation, in dark then in light: the same moves both times (the demo's load is a function of time,
        //    and nothing moved in between), with no serious or critical axe violation in either.
        var failures = new List<string>();
        IPage? page = null;
        string[] moves = [];
        foreach (var scheme in new[] { ColorScheme.Dark, ColorScheme.Light })
        {
            if (page is not null) await page.Context.CloseAsync();
            page = await SignInAsync(Operator, scheme);
            await RecommendAsync(page, Cluster, consolidate: false);
            var result = page.Locator("[data-testid=optimize-result]");
            Assert.Contains($"Balance {Cluster}", await result.Locator("h2").InnerTextAsync());
            // The what-if: the chart (an image with its table as the description) and a row per host of the cluster.
            await Assertions.Expect(result.Locator("[role=img][aria-describedby=optimize-hosts] svg")).ToBeVisibleAsync();
            Assert.Equal(3, await page.Locator("[data-testid=optimize-host-row]").CountAsync());
            // Measured demand, not configured sizes: the week of demo load is there before any collection ran.
            var demand = await page.Locator("[data-testid=optimize-demand]").InnerTextAsync();
            Assert.Contains("0 at their configured vCPUs", demand);
            var rows = page.Locator("[data-testid=optimize-move-row]");
            Assert.True(await rows.CountAsync() > 0,
                $"The default balance of {Cluster} recommends no move: {await page.Locator("[data-testid=optimize-summary]").InnerTextAsync()} {demand}");
            // Sequence, VM, from and to; the planned start moves on with the clock between the two looks.
            var shown = (await rows.AllInnerTextsAsync()).Select(row => string.Join(" | ", row.Split('\t').Take(4).Select(c => c.Trim()))).ToArray();
            if (moves.Length > 0) Assert.Equal(moves, shown);
            moves = shown;
            await CheckAxeAsync(page, "optimize: balance recommendation", scheme, failures);
            if (scheme == ColorScheme.Light) await PortalServer.ScreenshotAsync(page, "optimize-balance");
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures));
        output.WriteLine($"{moves.Length} move(s):\n{string.Join("\n", moves)}");

        // 2. Accept: the justification is required beside its field, then one batch of one request per move shown.
        await page!.ClickAsync("[data-testid=optimize-accept]");
        await page.GetByText("Say why these VMs should move.").WaitForAsync();
        Assert.Equal(0, await page.Locator("[data-testid=optimize-accepted]").CountAsync());
        await page.FillAsync("[data-testid=optimize-justification] textarea, textarea[data-testid=optimize-justification]", "Optimize journey: spread the hot host's load");
        await page.ClickAsync("[data-testid=optimize-accept]");
        var accepted = page.Locator("[data-testid=optimize-accepted]");
        try
        {
            await accepted.WaitForAsync(new() { Timeout = 30_000 });
        }
        catch (TimeoutException)
        {
            await PortalServer.ScreenshotAsync(page, "failed-optimize-accept");
            var error = page.Locator("[data-testid=optimize-accept-error], [data-testid=optimize-error]");
            throw new TimeoutException($"Accept did nothing visible. {(await error.CountAsync() > 0 ? await error.First.InnerTextAsync() : "No error shown.")}");
        }

        Assert.Contains($"{moves.Length} request(s)", await accepted.InnerTextAsync());
        await PortalServer.ScreenshotAsync(page, "optimize-accepted");
        await page.ClickAsync("[data-testid=optimize-batch-link]");
        await page.WaitForURLAsync(url => url.Contains("/batches/"));
        var batchId = Guid.Parse(page.Url.Split("/batches/")[1].Split('?', '#')[0]);
        await PortalServer.WaitInteractiveAsync(page);
        await page.Locator("[data-testid=batch-request]").First.WaitForAsync();
        var batchRows = await page.Locator("[data-testid=batch-request]").AllInnerTextsAsync();
        Assert.Equal(moves.Length, batchRows.Count);
        // Each moved VM (the second cell of a move row) is a request of the batch.
        foreach (var move in moves)
        {
            var vm = move.Split(" | ")[1];
            Assert.Contains(batchRows, row => row.Contains(vm));
        }

        await PortalServer.ScreenshotAsync(page, "optimize-batch");

        // What the server holds: exactly one batch made by this accept, with the same number of requests.
        await using (var scope = portal.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
            Assert.Equal(moves.Length, await db.Requests.CountAsync(r => r.BatchId == batchId));
            Assert.Equal(1, await db.AuditEvents.CountAsync(e => e.Action == AuditActions.RecommendationAccepted));
        }

        await page.Context.CloseAsync();

        // 3. The audit page shows the acceptance.
        var auditor = await SignInAsync(Auditor, ColorScheme.Light);
        await auditor.GotoAsync("/audit");
        await PortalServer.WaitInteractiveAsync(auditor);
        await auditor.FillAsync("[data-testid=filter-action] input, input[data-testid=filter-action]", "recommendation-accepted");
        await auditor.ClickAsync("[data-testid=apply-filter]");
        await auditor.Locator("[data-testid=audit-table] td", new() { HasText = AuditActions.RecommendationAccepted }).First.WaitForAsync();
        await PortalServer.ScreenshotAsync(auditor, "optimize-audit");
        await auditor.Context.CloseAsync();
    }

    [Fact]
    public async Task Journey_ConsolidationRecommendation_ShowsTheHostsFreedAndTheSavings()
    {
        var page = await SignInAsync(Operator, ColorScheme.Light);
        await RecommendAsync(page, Cluster, consolidate: true);
        Assert.Contains($"Consolidate {Cluster}", await page.Locator("[data-testid=optimize-result] h2").InnerTextAsync());
        var summary = await page.Locator("[data-testid=optimize-summary]").InnerTextAsync();
        var savings = page.Locator("[data-testid=optimize-savings]");
        Assert.True(await savings.CountAsync() == 1, $"No savings shown: {summary}");
        var text = await savings.InnerTextAsync();
        output.WriteLine($"{summary}\n{text}");
        Assert.Matches(@"^[1-9]\d* host\(s\) freed: \d+ W, \d+ kWh and \d+\.\d\d per month", text.Trim());
        // The freed host is marked in the what-if, and the moves empty it.
        Assert.True(await page.Locator("[data-testid=optimize-host-row]", new() { HasText = "freed" }).CountAsync() >= 1);
        Assert.True(await page.Locator("[data-testid=optimize-move-row]").CountAsync() >= 1);
        await PortalServer.ScreenshotAsync(page, "optimize-consolidate");
        await page.Context.CloseAsync();
    }

    /// <summary>Opens /optimize, picks the cluster by name, the strategy, and presses Recommend until the result shows.</summary>
    private static async Task RecommendAsync(IPage page, string cluster, bool consolidate)
    {
        await page.GotoAsync("/optimize");
        await PortalServer.WaitInteractiveAsync(page);
        await page.ClickAsync("[data-testid=optimize-group]");
        await page.Locator(".mud-popover-open .mud-list-item", new() { HasText = cluster }).First.ClickAsync();
        await page.Locator(".mud-popover-open").WaitForAsync(new() { State = WaitForSelectorState.Detached });
        if (consolidate) await page.Locator("[data-testid=optimize-strategy] .mud-radio", new() { HasText = "Consolidate" }).ClickAsync();
        await page.ClickAsync("[data-testid=optimize-run]");
        try
        {
            await page.Locator("[data-testid=optimize-result]").WaitForAsync(new() { Timeout = 60_000 });
        }
        catch (TimeoutException)
        {
            var error = page.Locator("[data-testid=optimize-error]");
            throw new TimeoutException($"No recommendation shown. {(await error.CountAsync() > 0 ? await error.InnerTextAsync() : "No error shown.")}");
        }
    }

    /// <summary>As the accessibility journey checks a page: WCAG 2.1 A and AA, serious and critical violations fail.</summary>
    private async Task CheckAxeAsync(IPage page, string name, ColorScheme scheme, List<string> failures)
    {
        var mode = scheme == ColorScheme.Dark ? "dark" : "light";
        await page.Locator($"main[data-theme={mode}]").WaitForAsync();
        // MudBlazor animates colours: wait for running CSS transitions to end (at most 3 s) so axe sees the settled contrast.
        await page.EvaluateAsync(@"() => Promise.race([
            Promise.all(document.getAnimations().filter(a => a instanceof CSSTransition).map(a => a.finished.catch(() => null))),
            new Promise(resolve => setTimeout(resolve, 3000))])");
        var result = await page.RunAxe(new AxeRunOptions
        {
            RunOnly = new RunOnlyOptions { Type = "tag", Values = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] },
        });
        var serious = result.Violations.Where(v => v.Impact is "serious" or "critical").ToList();
        output.WriteLine($"{name} | {mode} | {serious.Count} | {serious.Sum(v => v.Nodes.Length)} | {string.Join(", ", serious.Select(v => v.Id))}");
        foreach (var v in serious)
            failures.Add($"{name} ({mode}): {v.Id} ({v.Impact}) {v.Help} at {string.Join(" | ", v.Nodes.Take(3).Select(n => n.Html))}");
        if (await page.Locator("h1").CountAsync() != 1) failures.Add($"{name} ({mode}): not exactly one h1.");
    }

    private Task<IPage> SignInAsync(string user, ColorScheme scheme) => Journey.SignInAsync(portal, user,
        new BrowserNewContextOptions { ColorScheme = scheme, ViewportSize = new ViewportSize { Width = 1400, Height = 900 }, TimezoneId = "UTC" });
}
