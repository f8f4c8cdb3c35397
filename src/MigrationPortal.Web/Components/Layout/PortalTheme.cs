using MudBlazor;

namespace MigrationPortal.Web.Components.Layout;

/// <summary>
/// The portal's palette, light and dark. MudBlazor's defaults put white text on #00c853 (Succeeded chips, Approve
/// buttons) and #ff9800 (PendingApproval chips) at about 2.2:1; WCAG 2.1 AA needs 4.5:1 for text. Every colour a chip
/// or button may take is chosen here to reach at least 4.5:1 against its contrast text and, for text and outlined
/// variants, against the page: light mode pairs dark colours with white text, dark mode light colours with black text.
/// docs/accessibility.md has the measured figures.
/// </summary>
public static class PortalTheme
{
    public static readonly MudTheme Theme = new()
    {
        PaletteLight = new PaletteLight
        {
            Primary = "#594ae2",
            Secondary = "#c2185b",
            Tertiary = "#00796b",
            Info = "#1565c0",
            Success = "#2e7d32",
            Warning = "#9a5b00",
            Error = "#c62828",
            AppbarBackground = "#594ae2",
            TextSecondary = "rgba(0,0,0,0.66)",
        },
        PaletteDark = new PaletteDark
        {
            Primary = "#a99dff",
            PrimaryContrastText = "#000000",
            Secondary = "#f48fb1",
            SecondaryContrastText = "#000000",
            Tertiary = "#80cbc4",
            TertiaryContrastText = "#000000",
            Info = "#90caf9",
            InfoContrastText = "#000000",
            Success = "#81c784",
            SuccessContrastText = "#000000",
            Warning = "#ffb74d",
            WarningContrastText = "#000000",
            Error = "#ef9a9a",
            ErrorContrastText = "#000000",
            TextSecondary = "rgba(255,255,255,0.72)",
            ActionDefault = "rgba(255,255,255,0.80)",
        },
        Typography = new Typography
        {
            Default = new DefaultTypography { FontFamily = ["Roboto", "Helvetica", "Arial", "sans-serif"] },
        },
    };
}
