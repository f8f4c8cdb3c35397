using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Web;
using Microsoft.Extensions.DependencyInjection;
using MigrationPortal.Application.Scheduling;
using MigrationPortal.Domain.Scheduling;
using MudBlazor;
using WindowsPage = MigrationPortal.Web.Components.Pages.Windows;

namespace MigrationPortal.Web.Tests.Components;

/// <summary>The Windows form (issue 13 §4): every error at once, no stale examples, a zone picker, and long blackouts shown to their end.</summary>
public sealed class WindowsPageTests(PortalWebFactory factory) : PortalPageTestContext(factory), IClassFixture<PortalWebFactory>
{
    private static readonly System.Security.Claims.ClaimsPrincipal Olga = User("u-olga", "Olga", "Operator");

    private static string Value(IRenderedComponent<WindowsPage> cut, string testId) => cut.Find($"input[data-testid={testId}]").GetAttribute("value") ?? "";

    private static string ErrorBeside(IRenderedComponent<WindowsPage> cut, string testId) =>
        cut.Find($"input[data-testid={testId}]").Closest(".mud-input-control")?.TextContent ?? "";

    [Fact]
    public void Windows_OpensAnEmptyForm_WithoutAnExampleStartInThePast()
    {
        var cut = RenderAs<WindowsPage>(Olga);
        cut.WaitForAssertion(() => cut.Find("[data-testid=period-form]"));

        Assert.Equal("", Value(cut, "period-start"));
        Assert.Equal("", Value(cut, "period-expression"));
        Assert.Equal("", Value(cut, "period-zone"));
        Assert.Equal("", Value(cut, "period-duration"));
    }

    [Fact]
    public async Task Windows_ShowsEveryFieldError_InOneRound_WhenTheStartIsUnreadable()
    {
        var cut = RenderAs<WindowsPage>(Olga);
        cut.WaitForAssertion(() => cut.Find("[data-testid=period-form]"));
        await cut.Find("input[data-testid=period-start]").ChangeAsync(new ChangeEventArgs { Value = "next saturday" });

        await cut.Find("button[data-testid=period-save]").ClickAsync(new MouseEventArgs());

        cut.WaitForAssertion(() =>
        {
            Assert.Contains("Enter the local start as yyyy-MM-dd HH:mm.", ErrorBeside(cut, "period-start"));
            Assert.Contains("Name it.", ErrorBeside(cut, "period-name"));
            Assert.Contains("Choose a time zone", ErrorBeside(cut, "period-zone"));
            Assert.Contains("longer than zero", ErrorBeside(cut, "period-duration"));
        }, TimeSpan.FromSeconds(10));
        Assert.DoesNotContain("(Parameter", cut.Markup);
    }

    [Fact]
    public async Task Windows_OffersMatchingZones_WhenAPartOfTheNameIsTyped()
    {
        var cut = RenderAs<WindowsPage>(Olga);
        cut.WaitForAssertion(() => cut.Find("[data-testid=period-form]"));
        var zone = cut.FindComponents<MudAutocomplete<string>>().Single(a => Equals(a.Instance.UserAttributes.GetValueOrDefault("data-testid"), "period-zone"));

        var search = zone.Instance.SearchFunc ?? throw new InvalidOperationException("the zone field has no search");

        var searching = search("new york", CancellationToken.None) ?? throw new InvalidOperationException("no search result");
        var found = (await searching)?.ToList() ?? [];

        Assert.Contains("America/New_York", found);
        Assert.All(found, z => Assert.Contains("New_York", z));
        await cut.InvokeAsync(() => zone.Instance.SelectOptionAsync("America/New_York"));
        cut.WaitForAssertion(() => Assert.Equal("America/New_York", Value(cut, "period-zone")));
    }

    [Fact]
    public async Task Windows_ShowsAFourteenDayBlackoutWithItsRealEnd()
    {
        // Midnight to midnight: the old cell read "…00:00–00:00", as if it lasted no time at all.
        var start = Factory.Services.GetRequiredService<TimeProvider>().GetUtcNow().UtcDateTime.Date.AddDays(10); // the portal's own clock
        await using (var scope = Factory.Services.CreateAsyncScope())
            await scope.ServiceProvider.GetRequiredService<SaveBlackout>().HandleAsync(
                new MigrationPortal.Application.Authorization.PortalUser("u-olga", "Olga", new HashSet<string> { "Operator" }, new HashSet<string>()), null,
                new CalendarPeriodInput("year-end freeze", RecurrenceKind.OneOff, null, "UTC", start, 14 * 24 * 60));

        var cut = RenderAs<WindowsPage>(Olga);

        cut.WaitForAssertion(() =>
        {
            var row = cut.FindAll("[data-testid=blackouts] tbody tr").Single(r => r.TextContent.Contains("year-end freeze"));
            Assert.Equal($"{start:yyyy-MM-dd} 00:00–{start.AddDays(14):yyyy-MM-dd} 00:00", row.QuerySelector("[data-testid=next-occurrences]")!.TextContent.Trim());
        });
    }
}
