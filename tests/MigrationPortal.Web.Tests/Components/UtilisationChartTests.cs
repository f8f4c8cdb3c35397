using System.Globalization;
using Bunit;
using Microsoft.Extensions.DependencyInjection;
using MigrationPortal.Application.Utilisation;
using MigrationPortal.Web.Components.Layout;
using MigrationPortal.Web.Components.Shared;
using MudBlazor.Services;

namespace MigrationPortal.Web.Tests.Components;

/// <summary>The utilisation chart (issue 15 §1): a title, a summary, a hidden table with the figures behind the lines, contrast in both themes.</summary>
public sealed class UtilisationChartTests : BunitContext
{
    private static readonly DateTimeOffset To = new(2026, 3, 2, 12, 0, 0, TimeSpan.Zero);

    public UtilisationChartTests()
    {
        Services.AddMudServices();
        Services.AddSingleton(TimeProvider.System);
        JSInterop.Mode = JSRuntimeMode.Loose;
    }

    /// <summary>24 hours of 5-minute points: CPU climbs with the hour of the day, memory stays at 40 %.</summary>
    private static UtilisationSeries Day(bool demo = false) => new(UtilisationSubjectKind.Host, Guid.NewGuid(), "esx-1", demo, To.AddDays(-1), To, 300,
        Enumerable.Range(0, 288).Select(i => new UtilisationPoint(To.AddDays(-1).AddMinutes(5 * i), (i / 12) * 4.0 + (i % 12) * 0.1, 40, 1000, 4096, null)).ToList());

    [Fact]
    public void Render_ShowsATitleASummaryAndAHiddenHourlyTable_OfTheSeriesFigures()
    {
        var cut = Render<UtilisationChart>(p => p.Add(c => c.Series, Day()));

        var title = cut.Find("h2");
        Assert.Equal("CPU and memory use, last 24 hours", title.TextContent.Trim());
        var figure = cut.Find("[role=img]");
        Assert.Equal(title.Id, figure.GetAttribute("aria-labelledby"));
        var table = cut.Find("[data-testid=utilisation-table]");
        Assert.Equal(table.Id, figure.GetAttribute("aria-describedby"));
        var rows = table.QuerySelectorAll("tbody tr");
        Assert.Equal(24, rows.Length);
        // Hour 5 (the 6th row): CPU 20.0 .. 21.1, so average 20.55 (shown 20.6 or 20.5 by rounding) and peak 21.1; memory 40.
        var cells = rows[5].QuerySelectorAll("td").Select(c => c.TextContent).ToArray();
        Assert.InRange(double.Parse(cells[0], CultureInfo.InvariantCulture), 20.5, 20.6);
        Assert.Equal(["21.1", "40.0", "40.0"], cells[1..]);
        var summary = cut.Find("[data-testid=utilisation-summary]").TextContent;
        Assert.Contains("peak 93.1 %", summary);
        Assert.Contains("288 readings", summary);
    }

    [Fact]
    public void Render_SaysDemoInTheTitle_WhenTheSubjectIsSimulated()
    {
        var cut = Render<UtilisationChart>(p => p.Add(c => c.Series, Day(demo: true)));

        Assert.Contains("(Demo, simulated)", cut.Find("h2").TextContent);
    }

    [Fact]
    public void Render_SaysNothingIsCollectedYet_WhenTheSeriesIsEmpty()
    {
        var cut = Render<UtilisationChart>(p => p.Add(c => c.Series, Day() with { Points = [] }));

        Assert.Contains("No utilisation collected", cut.Find("[data-testid=utilisation-empty]").TextContent);
        Assert.Empty(cut.FindAll("[role=img]"));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public void Palette_LineColourContrastsAtLeastThreeToOne_WithTheLightAndDarkSurfaces(int line)
    {
        var colour = UtilisationChart.Palette[line];
        var light = PortalTheme.Theme.PaletteLight.Surface.ToString(MudBlazor.Utilities.MudColorOutputFormats.Hex);
        var dark = PortalTheme.Theme.PaletteDark.Surface.ToString(MudBlazor.Utilities.MudColorOutputFormats.Hex);
        var darkBackground = PortalTheme.Theme.PaletteDark.Background.ToString(MudBlazor.Utilities.MudColorOutputFormats.Hex);

        Assert.True(Contrast(colour, light) >= 3, $"{colour} on {light}: {Contrast(colour, light):F2}");
        Assert.True(Contrast(colour, dark) >= 3, $"{colour} on {dark}: {Contrast(colour, dark):F2}");
        Assert.True(Contrast(colour, darkBackground) >= 3, $"{colour} on {darkBackground}: {Contrast(colour, darkBackground):F2}");
    }

    private static double Contrast(string a, string b)
    {
        var (la, lb) = (Luminance(a), Luminance(b));
        return (Math.Max(la, lb) + 0.05) / (Math.Min(la, lb) + 0.05);
    }

    private static double Luminance(string hex)
    {
        double Channel(int offset)
        {
            var c = int.Parse(hex.Substring(offset, 2), NumberStyles.HexNumber) / 255.0;
            return c <= 0.03928 ? c / 12.92 : Math.Pow((c + 0.055) / 1.055, 2.4);
        }

        return 0.2126 * Channel(1) + 0.7152 * Channel(3) + 0.0722 * Channel(5);
    }
}
