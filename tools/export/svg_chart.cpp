#include "tools/export/svg_chart.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "tools/export/markup.h"

namespace gilsim {

namespace {

// Okabe & Ito, "Color Universal Design" (2008), without its yellow, which is too pale on white.
constexpr const char* kPalette[] = {"#0072B2", "#D55E00", "#009E73", "#CC79A7",
                                    "#E69F00", "#56B4E9", "#000000"};
constexpr int kPaletteSize = sizeof(kPalette) / sizeof(kPalette[0]);
constexpr const char* kReferenceColour = "#666666";

// Sized for a projector: 1200 x 750 user units, with text from 24 to 34 units high. The legend
// sits right of the plot, where it can never hide a point.
constexpr double kWidth = 1200, kHeight = 750;
constexpr double kLeft = 120, kRight = 280, kTop = 120, kBottom = 110;
constexpr double kPlotW = kWidth - kLeft - kRight, kPlotH = kHeight - kTop - kBottom;

// A step of 1, 2 or 5 times a power of ten giving about `ticks` intervals over [0, span].
double nice_step(double span, int ticks) {
  double raw = span / ticks;
  double power = std::pow(10.0, std::floor(std::log10(raw)));
  for (double m : {1.0, 2.0, 5.0})
    if (raw <= m * power) return m * power;
  return 10 * power;
}

std::string number(double v) { return fmt::format("{:g}", std::abs(v) < 1e-12 ? 0.0 : v); }

struct Axes {
  double x_min = 0, x_max = 1;  // domain of the x positions
  double y_max = 1, y_step = 1;
  double px(double x) const { return kLeft + (x - x_min) / (x_max - x_min) * kPlotW; }
  double py(double y) const { return kTop + kPlotH - y / y_max * kPlotH; }
};

std::vector<double> x_positions(const LineChart& c) {
  std::vector<double> xs;
  for (size_t i = 0; i < c.x_labels.size(); ++i)
    xs.push_back(c.x_numeric && i < c.x_values.size() ? c.x_values[i] : double(i));
  return xs;
}

Axes make_axes(const LineChart& c, const std::vector<double>& xs) {
  Axes a;
  if (!xs.empty()) {
    auto [lo, hi] = std::minmax_element(xs.begin(), xs.end());
    double span = *hi - *lo;
    double pad = span > 0 ? span * 0.05 : 0.5;  // keeps the end markers off the frame
    if (!c.x_numeric) pad = 0.5;
    a.x_min = *lo - pad;
    a.x_max = *hi + pad;
  }
  double top = 1;
  for (const auto& s : c.series)
    for (const auto& y : s.y)
      if (y && std::isfinite(*y)) top = std::max(top, *y);
  a.y_step = nice_step(top, 5);
  a.y_max = std::ceil(top / a.y_step - 1e-9) * a.y_step;
  if (a.y_max < top * 1.04) a.y_max += a.y_step;  // headroom above the highest point
  return a;
}

void write_marker(std::ostream& out, int shape, double x, double y, const char* colour) {
  const double r = 8;
  switch (shape % 4) {
    case 0:
      out << fmt::format(R"(<circle cx="{:.1f}" cy="{:.1f}" r="{}" fill="{}"/>)", x, y, r, colour);
      break;
    case 1:
      out << fmt::format(R"(<rect x="{:.1f}" y="{:.1f}" width="{}" height="{}" fill="{}"/>)", x - r,
                         y - r, 2 * r, 2 * r, colour);
      break;
    case 2:
      out << fmt::format(R"(<path d="M{:.1f},{:.1f}l{},{}h{}z" fill="{}"/>)", x, y - r * 1.2,
                         r * 1.1, r * 2, -r * 2.2, colour);
      break;
    default:
      out << fmt::format(R"(<path d="M{:.1f},{:.1f}l{},{}l{},{}l{},{}z" fill="{}"/>)", x,
                         y - r * 1.3, r * 1.3, r * 1.3, -r * 1.3, r * 1.3, -r * 1.3, -r * 1.3,
                         colour);
  }
  out << '\n';
}

void write_frame(std::ostream& out, const LineChart& c, const Axes& a,
                 const std::vector<double>& xs) {
  // Horizontal grid lines and y ticks.
  for (double y = 0; y <= a.y_max + a.y_step * 1e-6; y += a.y_step) {
    double py = a.py(y);
    out << fmt::format(
        R"(<line x1="{}" y1="{:.1f}" x2="{}" y2="{:.1f}" stroke="#dddddd" stroke-width="1.5"/>)"
        "\n",
        kLeft, py, kLeft + kPlotW, py);
    out << fmt::format(R"(<text x="{}" y="{:.1f}" text-anchor="end" font-size="24">{}</text>)"
                       "\n",
                       kLeft - 12, py + 8, number(y));
  }
  // x ticks at the measured values; a label too close to the previous one is left out.
  double last_label = -1e9;
  for (size_t i = 0; i < xs.size(); ++i) {
    double px = a.px(xs[i]);
    out << fmt::format(
        R"(<line x1="{:.1f}" y1="{}" x2="{:.1f}" y2="{}" stroke="#333333" stroke-width="2"/>)"
        "\n",
        px, kTop + kPlotH, px, kTop + kPlotH + 8);
    if (px - last_label < 14.0 * std::max<size_t>(2, c.x_labels[i].size())) continue;
    last_label = px;
    out << fmt::format(R"(<text x="{:.1f}" y="{}" text-anchor="middle" font-size="24">{}</text>)"
                       "\n",
                       px, kTop + kPlotH + 36, markup_escape(c.x_labels[i]));
  }
  out << fmt::format(
      R"(<rect x="{}" y="{}" width="{}" height="{}" fill="none" stroke="#333333" stroke-width="2"/>)"
      "\n",
      kLeft, kTop, kPlotW, kPlotH);
  out << fmt::format(R"(<text x="{}" y="{}" text-anchor="middle" font-size="28">{}</text>)"
                     "\n",
                     kLeft + kPlotW / 2, kHeight - 28, markup_escape(c.x_label));
  out << fmt::format(
      R"svg(<text x="34" y="{}" text-anchor="middle" font-size="28" transform="rotate(-90 34 {})">{}</text>)svg"
      "\n",
      kTop + kPlotH / 2, kTop + kPlotH / 2, markup_escape(c.y_label));
}

void write_series(std::ostream& out, const ChartSeries& s, int index, const Axes& a,
                  const std::vector<double>& xs) {
  const char* colour = s.reference ? kReferenceColour : kPalette[index % kPaletteSize];
  std::string dash = s.reference ? R"( stroke-dasharray="12 9")" : "";
  // One polyline per unbroken run of points.
  std::string points;
  auto flush = [&] {
    if (points.empty()) return;
    out << fmt::format(
        R"(<polyline points="{}" fill="none" stroke="{}" stroke-width="{}"{} stroke-linejoin="round"/>)"
        "\n",
        points, colour, s.reference ? 3 : 4, dash);
    points.clear();
  };
  for (size_t i = 0; i < xs.size() && i < s.y.size(); ++i) {
    if (!s.y[i] || !std::isfinite(*s.y[i])) {
      flush();
      continue;
    }
    points += fmt::format("{}{:.1f},{:.1f}", points.empty() ? "" : " ", a.px(xs[i]), a.py(*s.y[i]));
  }
  flush();
  if (s.reference) return;
  for (size_t i = 0; i < xs.size() && i < s.y.size(); ++i)
    if (s.y[i] && std::isfinite(*s.y[i]))
      write_marker(out, index, a.px(xs[i]), a.py(*s.y[i]), colour);
}

void write_legend(std::ostream& out, const LineChart& c) {
  const double row = 36, x = kLeft + kPlotW + 30, y = kTop + 12;
  double width = 0;
  for (const auto& s : c.series) width = std::max(width, 80 + 13.0 * s.name.size());
  width = std::min(width, kRight - 30);
  out << fmt::format(
      R"(<rect x="{}" y="{}" width="{:.0f}" height="{}" fill="#ffffff" fill-opacity="0.9" stroke="#bbbbbb"/>)"
      "\n",
      x - 12, y - 12, width, row * c.series.size() + 8);
  int index = 0;
  for (size_t k = 0; k < c.series.size(); ++k) {
    const auto& s = c.series[k];
    double cy = y + row * k + 12;
    const char* colour = s.reference ? kReferenceColour : kPalette[index % kPaletteSize];
    out << fmt::format(
        R"(<line x1="{}" y1="{:.1f}" x2="{}" y2="{:.1f}" stroke="{}" stroke-width="{}"{}/>)"
        "\n",
        x, cy, x + 52, cy, colour, s.reference ? 3 : 4,
        s.reference ? R"( stroke-dasharray="12 9")" : "");
    if (!s.reference) write_marker(out, index++, x + 26, cy, colour);
    out << fmt::format(R"(<text x="{}" y="{:.1f}" font-size="24">{}</text>)"
                       "\n",
                       x + 66, cy + 8, markup_escape(s.name));
  }
}

}  // namespace

void write_line_chart_svg(const LineChart& c, std::ostream& out) {
  std::vector<double> xs = x_positions(c);
  Axes a = make_axes(c, xs);
  out << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out << fmt::format(
      R"(<svg xmlns="http://www.w3.org/2000/svg" width="{0}" height="{1}" viewBox="0 0 {0} {1}" font-family="DejaVu Sans, Helvetica, Arial, sans-serif" fill="#222222">)"
      "\n",
      kWidth, kHeight);
  out << fmt::format("<title>{}</title>\n", markup_escape(c.title));
  out << fmt::format(R"(<rect width="{}" height="{}" fill="#ffffff"/>)"
                     "\n",
                     kWidth, kHeight);
  out << fmt::format(
      R"(<text x="{}" y="48" text-anchor="middle" font-size="34" font-weight="bold">{}</text>)"
      "\n",
      kWidth / 2, markup_escape(c.title));
  if (!c.subtitle.empty())
    out << fmt::format(R"(<text x="{}" y="88" text-anchor="middle" font-size="24">{}</text>)"
                       "\n",
                       kWidth / 2, markup_escape(c.subtitle));
  write_frame(out, c, a, xs);
  // Reference lines first, so that a policy lying on one still shows.
  for (const auto& s : c.series)
    if (s.reference) write_series(out, s, 0, a, xs);
  int index = 0;
  for (const auto& s : c.series)
    if (!s.reference) write_series(out, s, index++, a, xs);
  write_legend(out, c);
  out << "</svg>\n";
}

}  // namespace gilsim
