"""Appendices: the assumptions (venue, fees, markets, the tiers in use), the plan's notes, the
method and a glossary, and the disclaimer."""

from __future__ import annotations

from planner.domain.book import build_book
from planner.domain.engine import valuate
from planner.domain.formatting import MISSING, format_leverage, format_quantity
from planner.domain.plan import DEFAULT_FLAT_RULE, FlatMaintenance, Market, RiskLimits
from planner.domain.venues import VENUES
from planner.report.content.base import Context, exact_percent
from planner.report.content.collateral_rows import collateral_rows
from planner.report.model import Block, Column, KeyValueList, Paragraph, Row, Section, Table

NOT_STATED = "not stated"


def tier_provenance(market: Market, venue: str) -> tuple[str, str]:
    """Where a market's maintenance rule comes from, and as of when. A flat rule has no
    ``source`` field (spec/plan-format.md), so the window's default rule — what a market it
    makes up for a new symbol gets — is told apart by its values: it is not the venue's."""
    m = market.maintenance
    if isinstance(m, FlatMaintenance):
        if m != DEFAULT_FLAT_RULE:
            return "flat rule entered in the plan", NOT_STATED
        title = VENUES[venue].title if venue in VENUES else venue
        if _in_catalogue(venue, market.symbol):
            return (
                f"default rule, not the {title} catalogue's table for {market.symbol} — "
                "replace it with the venue's",
                NOT_STATED,
            )
        return (
            f"default rule for a symbol not in the {title} catalogue — replace it with the venue's",
            NOT_STATED,
        )
    return (m.source or NOT_STATED), (m.as_of or NOT_STATED)


def _in_catalogue(venue: str, symbol: str) -> bool:
    from planner.storage.catalogue import CatalogueError, venue_catalogue

    try:
        return symbol in venue_catalogue(venue)
    except (KeyError, CatalogueError):  # a venue without a catalogue lists nothing
        return False


def risk_limits_text(limits: RiskLimits) -> str:
    """The plan's limits that decide its warnings, in words."""
    cap = "none" if limits.max_leverage is None else format_leverage(limits.max_leverage)
    return (
        f"loss at one stop at most {exact_percent(limits.risk_per_position)} of equity, at all "
        f"stops together {exact_percent(limits.total_risk)}; a stop at least "
        f"{exact_percent(limits.stop_buffer)} of the mark from liquidation; effective leverage "
        f"cap {cap}. They decide the warnings; they refuse nothing."
    )


def horizon_text(ctx: Context) -> str:
    plan = ctx.plan
    if plan.horizon_hours <= 0:
        return "No horizon: the plan is valued as it stands, no funding charged."
    rates = ", ".join(
        f"{m.symbol} {exact_percent(m.funding_rate)} per {m.funding_interval_hours:g} h"
        for m in plan.markets
    )
    return (
        f"Held {plan.horizon_hours:g} h at the marks; funding charged every interval ({rates}), "
        "taken where the venue takes it."
    )


def assumptions(ctx: Context, attachment_name: str) -> Section:
    account = ctx.plan.account
    venue = VENUES[account.venue]
    mode = (
        "One-way: positions on one symbol share one side and are netted into one exchange "
        "position (summed quantity, quantity-weighted entry)."
        if account.position_mode == "one-way"
        else "Hedge: each symbol has a long leg and a short leg; positions of one symbol and "
        "side are netted into their leg, and cross legs of a symbol share one liquidation price."
    )
    blocks: list[Block] = [
        Paragraph(
            "Every figure in this report follows from the assumptions below. They are stored "
            "in the plan, and the plan itself is embedded in this PDF as "
            f"“{attachment_name}”, so the report can be reproduced later.",
            style="note",
        ),
        KeyValueList(
            (
                ("Venue rules", f"{venue.title}: {venue.summary}"),
                ("Position mode", mode),
                ("Settlement currency", account.currency),
                ("Wallet balance", ctx.amount(account.wallet_balance, unit=True)),
                *collateral_rows(
                    ctx.analysis,
                    lambda value: ctx.amount(value, unit=True),
                    lambda symbol, value: ctx.price(symbol or "", value),
                ),
                ("Risk limits", risk_limits_text(account.risk_limits)),
                ("Taker fee", exact_percent(account.taker_fee_rate)),
                ("Maker fee", exact_percent(account.maker_fee_rate)),
                (
                    "Prices",
                    "Every position is valued at its market's mark price below; liquidation "
                    "prices take the tier at the liquidation price.",
                ),
                (
                    "Fees in figures",
                    "The taker fee is charged on entry and exit in break-even prices, losses "
                    "at stops and rewards at take-profits.",
                ),
                ("Horizon and funding", horizon_text(ctx)),
                ("Not included", "Open orders and liquidation fees."),
            )
        ),
    ]
    if ctx.compact and not ctx.full_tiers:
        blocks.append(markets_and_tiers_table(ctx))
    else:
        blocks.append(markets_table(ctx))
        tiers = tiers_table(ctx)
        if tiers.rows:
            blocks.append(tiers)
    return Section("assumptions", "Assumptions", tuple(blocks), appendix=True)


def markets_table(ctx: Context) -> Table:
    rows = []
    for m in ctx.plan.markets:
        _, as_of = tier_provenance(m, ctx.plan.account.venue)
        rule = (
            "flat rate" if isinstance(m.maintenance, FlatMaintenance) else f"{len(m.tiers)} tiers"
        )
        rows.append(
            Row(
                (
                    m.symbol,
                    m.contract,
                    format_quantity(m.contract_size) + (" USD" if m.contract == "inverse" else ""),
                    ctx.price(m.symbol, m.mark_price),
                    format_quantity(m.tick_size) if m.tick_size is not None else MISSING,
                    rule,
                    as_of,
                )
            )
        )
    return Table(
        (
            Column("Symbol"),
            Column("Contract"),
            Column("Contract\nsize", "right"),
            Column("Mark price", "right"),
            Column("Tick size", "right"),
            Column("Maintenance"),
            Column("Tiers as of"),
        ),
        tuple(rows),
        caption="Markets",
        compact=ctx.compact,
    )


def tiers_in_use(ctx: Context) -> dict[str, dict[int, list[str]]]:
    """symbol → tier index → the legs on it ("long", "short") at the marks."""
    found: dict[str, dict[int, list[str]]] = {}
    if not ctx.plan.positions:
        return found
    book = build_book(ctx.plan)
    state = valuate(book, book.mark_u)
    legs = zip(
        book.leg_market.tolist(),
        book.leg_sign.tolist(),
        state.tier.tolist(),
        book.leg_collateral.tolist(),
        strict=True,
    )
    for market, sign, tier, collateral in legs:
        if collateral:  # collateral priced by the market holds no position: no tier
            continue
        symbol = ctx.plan.markets[market].symbol
        found.setdefault(symbol, {}).setdefault(int(tier), []).append(
            "long" if sign > 0 else "short"
        )
    return found


def tiers_table(ctx: Context) -> Table:
    """One table for every market: the tier each leg is on and the next one (or every tier
    when the full tables were asked for), with each table's source and date."""
    in_use = tiers_in_use(ctx)
    rows: list[Row] = []
    for g, market in enumerate(ctx.plan.markets):
        unit = ctx.currency if market.contract == "linear" else "coin"
        tiers = market.tiers
        used = in_use.get(market.symbol, {})
        if ctx.full_tiers:
            shown = list(range(len(tiers)))
        else:
            shown = sorted({k for t in used for k in (t, t + 1) if k < len(tiers)})
        if not shown:
            continue
        source, as_of = tier_provenance(market, ctx.plan.account.venue)
        rows.append(
            Row(
                (f"{market.symbol}: source: {source}. As of: {as_of}. Amounts in {unit}.",),
                group=g,
                span=True,
            )
        )
        for k in shown:
            tier = tiers[k]
            role = (
                "in use (" + ", ".join(used[k]) + ")"
                if k in used
                else ("next" if k - 1 in used else "")
            )
            rows.append(
                Row(
                    (
                        market.symbol,
                        str(k + 1),
                        ctx.notional(market, tier.notional_floor),
                        ctx.notional(market, tier.notional_cap)
                        if tier.notional_cap is not None
                        else "no cap",
                        format_leverage(tier.max_leverage)
                        if tier.max_leverage is not None
                        else "no limit",
                        exact_percent(tier.mmr),
                        ctx.notional(market, tier.maintenance_amount),
                        role,
                    ),
                    group=g,
                )
            )
    note = (
        "Every tier of every market."
        if ctx.full_tiers
        else "The tier each netted leg is on at the marks and the next one; the full tables are "
        "in the embedded plan (margin-planner export --full-tiers prints them)."
    )
    return Table(
        (
            Column("Symbol"),
            Column("Tier", "right"),
            Column("Notional\nfloor", "right"),
            Column("Notional\ncap", "right"),
            Column("Max\nleverage", "right"),
            Column("Maintenance\nrate", "right"),
            Column("Maintenance\namount", "right"),
            Column("Role"),
        ),
        tuple(rows),
        caption="Maintenance tiers",
        footnote=note,
        compact=ctx.compact,
    )


def markets_and_tiers_table(ctx: Context) -> Table:
    """Large plans: one row per market in use — its mark, the tier each leg is on and the next
    tier's floor and rate."""
    in_use = tiers_in_use(ctx)
    rows = []
    sources: dict[str, list[str]] = {}
    for market in ctx.plan.markets:
        used = in_use.get(market.symbol)
        if not used:
            continue
        source, as_of = tier_provenance(market, ctx.plan.account.venue)
        sources.setdefault(source, []).append(market.symbol)
        tiers = market.tiers
        for k, legs in sorted(used.items()):
            tier = tiers[k]
            nxt = tiers[k + 1] if k + 1 < len(tiers) else None
            rows.append(
                Row(
                    (
                        market.symbol,
                        market.contract,
                        ctx.price(market.symbol, market.mark_price),
                        ", ".join(legs),
                        f"{k + 1} of {len(tiers)}",
                        exact_percent(tier.mmr),
                        format_leverage(tier.max_leverage) if tier.max_leverage else "no limit",
                        ctx.notional(market, nxt.notional_floor) if nxt else "last tier",
                        exact_percent(nxt.mmr) if nxt else MISSING,
                        as_of,
                    )
                )
            )
    unused = len(ctx.plan.markets) - len(in_use)
    listed = "; ".join(
        f"{source} ({len(symbols)} market{'s' if len(symbols) != 1 else ''})"
        for source, symbols in sources.items()
    )
    return Table(
        (
            Column("Symbol"),
            Column("Contract"),
            Column("Mark price", "right"),
            Column("Leg"),
            Column("Tier", "right"),
            Column("Maint.\nrate", "right"),
            Column("Max\nleverage", "right"),
            Column("Next tier\nfrom", "right"),
            Column("Next\nrate", "right"),
            Column("Tiers as of"),
        ),
        tuple(rows),
        caption="Markets and the tiers in use",
        footnote=f"Tier tables: {listed}. Next tier from: the notional (inverse: in coin) at "
        "which the leg moves into the next tier. Every tier of every market is in the embedded "
        "plan (margin-planner export --full-tiers prints them)."
        + (f" {unused} markets of the plan have no position and are not listed." if unused else ""),
        compact=True,
    )


def notes(ctx: Context) -> Section:
    text = ctx.plan.notes.strip()
    if not text:
        return Section("notes", "Notes", (Paragraph("The plan has no notes."),), appendix=True)
    paragraphs = [p.strip() for p in text.replace("\r\n", "\n").split("\n\n") if p.strip()]
    return Section(
        "notes", "Notes", tuple(Paragraph(p, style="quote") for p in paragraphs), appendix=True
    )


GLOSSARY: tuple[tuple[str, str], ...] = (
    ("Equity", "Wallet balance plus every position's unrealised PnL at the marks."),
    ("Gross notional", "The sum of every position's size at its mark, in the settlement "
     "currency, longs and shorts alike."),
    ("Effective leverage", "Gross notional divided by equity."),
    ("Loss at stops", "What the account loses if every position with a stop is closed at it, "
     "fees included; as a share of equity it is the plan's risk."),
    ("Worst case", "The most the account can still lose from these marks: every isolated "
     "bucket's equity plus the cross pool's when it carries a position."),
    ("Liquidation price", "Where a bucket's (or the pool's) equity meets its maintenance "
     "margin; a cross price assumes every other mark stays where it is."),
    ("Bankruptcy price", "Where that equity reaches zero."),
    ("Maintenance margin", "A rate of the notional, rising in tiers, less a fixed amount per "
     "tier."),
    ("Risk ratio", "Maintenance margin over equity; 100 % means liquidation."),
)  # fmt: skip


def explanation(ctx: Context) -> Section:
    texts = (
        "Isolated margin gives a position its own bucket of collateral: the margin you assign "
        "to it. The most it can lose is that margin, whatever happens to the rest of the "
        "account. Because the bucket is small, liquidation comes sooner: the position is closed "
        "when its equity falls to its maintenance margin.",
        "Cross margin puts every cross position on one shared pool: the wallet balance less "
        "every isolated margin, plus the cross positions' unrealised profit and loss. "
        "Liquidation is further away and winners prop up losers, but one large move can take "
        "the whole pool.",
        "A liquidation price is where equity meets maintenance margin. The venue's rules decide "
        "at which notional maintenance is valued and whether the fee to close is part of it. "
        "A cross position's liquidation price is conditional: it assumes every other mark stays "
        "where it is; the price-shock section shows how much sooner the pool fails when markets "
        "fall together.",
        "The charts value the account over a grid of moves of one symbol (0.25 % steps within "
        "±50 %, coarser beyond, from −95 % to +1,000 %); every liquidation on them is solved "
        "exactly, not read off the "
        "grid. A liquidated bucket or pool counts as zero from there on: the venue keeps what "
        "is left in it.",
    )
    blocks: list[Block] = [Paragraph(t) for t in texts]
    blocks.append(KeyValueList(GLOSSARY, title="Glossary"))
    return Section("explanation", "Method and glossary", tuple(blocks), appendix=True)


def disclaimer(ctx: Context) -> Section:
    del ctx
    return Section(
        "disclaimer",
        "Disclaimer",
        (
            Paragraph(
                "This report is a planning aid computed from the assumptions stated in it; it is "
                "not financial advice and not a statement from any exchange. An exchange's "
                "actual liquidation depends on its current rules and tier tables, its mark "
                "price, fees, funding and how it closes positions, all of which can change "
                "without notice. Check the figures against your venue before you trade, and "
                "never risk money you cannot afford to lose.",
                style="note",
            ),
        ),
    )
