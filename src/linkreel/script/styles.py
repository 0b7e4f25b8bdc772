"""Script styles as data: which scenes a style speaks, in what order, and the phrases per language.

A style is a sequence of `Beat`s. Each beat names the phrase-bank slots it may speak (the first
slot whose placeholders the brief can fill wins), the on-screen text slot, and a priority that the
writer uses to drop beats when the video is short. Every language has one `PhraseBank`: slot ->
variants. The writer picks one variant per slot from a hash of the product, so one product always
gets the same ad and two products get different ones.

Placeholders a template may use (the writer fills only what the brief really holds; a variant whose
placeholders are not all known is skipped, so no number is ever invented):

    {name}           short speakable product name     {brand}     brand, when not already in the name
    {feature}        one feature, truncated to fit    {feature_short}  the same in <= 5 words
    {price}          price in the language's locale   {rating}    average stars ("4,7" in de)
    {scale}          the rating scale ("5")           {count}     number of reviews (>= 2)
    {quote}          first sentence of a review       {quote_short}    the same in <= 6 words

Template phrases hold no digits of their own (tested), except the year that `2025Hook` is named
after. Japanese phrases are written in kana: espeak-ng reads kanji as "Chinese letter".
"""

from collections.abc import Mapping
from dataclasses import dataclass, replace

from linkreel.errors import InputError
from linkreel.languages import get_language
from linkreel.script.model import SceneRole

# The contract's 20 base styles (api-contract §4.2), in its table order.
BASE_STYLES: tuple[str, ...] = (
    "BenefitsV2", "BrandStoryV2", "CallToActionV2", "DiscoveryWriter", "DontWorryWriter",
    "EmotionalWriter", "GenzWriter", "HowToV2", "LetMeShowYouWriter", "MotivationalWriter",
    "ProblemSolutionV2", "ProblemSolutionWriter", "ProductHighlightsV2", "ProductLifestyleV2",
    "ResponseBubbleWriter", "SpecialOffersV2", "StoryTimeWriter", "ThreeReasonsWriter",
    "TrendingTopicsV2", "DIY",
)  # fmt: skip

# The 29 hook styles with their labels: the `LegoScript*Hook` visual styles minus the prefix.
HOOK_LABELS: dict[str, str] = {
    "NegativeHook": "Don't Use This If You Want…",
    "NumberOneHook": "The #1 Hack You Need",
    "EverWonderHook": "Ever Wonder Why?",
    "SecretHook": "Wish I Could Keep This Secret",
    "WhatHappensHook": "What Happens If You Try This?",
    "AnyoneElseHook": "That One Thing We All Have",
    "AmazedHook": "Still Amazed by This",
    "2025Hook": "Hack 2025 Like This",
    "HateMeHook": "They'll Hate Me for This",
    "HeyAlgorithmHook": "Hey Algorithm",
    "CannotBelieveHook": "Cannot Believe This",
    "FinallyConfidentHook": "Finally Confident",
    "PremiumFeelingHook": "Premium Feeling",
    "FirstTimeFullHook": "First Time Full",
    "LongLineReasonHook": "Long Line Reason",
    "MissingOutAlertHook": "Missing Out Alert",
    "BetterTodayVersionHook": "Better Today Version",
    "BigHappeningHook": "Big Happening",
    "PriceDropRegretHook": "Price Drop Regret",
    "GroupBuyFrustrationHook": "Group Buy Frustration",
    "StopAffordExcuseHook": "Stop Afford Excuse",
    "LifeTooShortDiscountHook": "Life Too Short Discount",
    "HugePriceDropRushHook": "Huge Price Drop Rush",
    "PriceCouldGoLowerHook": "Price Could Go Lower",
    "StillFullPriceHook": "Still Full Price",
    "SecretDiscountShareHook": "Secret Discount Share",
    "VoucherSavingsAlertHook": "Voucher Savings Alert",
    "CouponDiscoveryRegretHook": "Coupon Discovery Regret",
    "BestDealEverHook": "Best Deal Ever",
}
HOOK_STYLES: tuple[str, ...] = tuple(HOOK_LABELS)

# Every value `script_style` accepts (49): callers validate names against this.
STYLE_NAMES: tuple[str, ...] = BASE_STYLES + HOOK_STYLES

DEFAULT_STYLE = "DiscoveryWriter"


@dataclass(frozen=True)
class Beat:
    """One scene of a style."""

    role: SceneRole
    slots: tuple[str, ...]  # phrase-bank keys, tried in order; the first the brief can fill is spoken
    screen: str = "screen.name"  # phrase-bank key of the on-screen text
    priority: int = 0  # 0: always spoken; the writer adds beats by rising priority while time is left
    per_feature: bool = False  # one scene per product feature (priority grows by 2 per feature)
    pad_host: bool = False  # generic padding lines may follow this beat's line (not after a quote)


@dataclass(frozen=True)
class ScriptStyle:
    name: str
    label: str
    tone: str  # a hint for voice and music: curious, confident, empathetic, urgent, friendly...
    beats: tuple[Beat, ...]

    @property
    def slots(self) -> frozenset[str]:
        return frozenset(s for b in self.beats for s in (*b.slots, b.screen))


# Beats shared by most styles. Priorities interleave: 1st feature, price, 2nd feature and rating,
# quote, 3rd feature... so a 15 s ad keeps the strongest facts and a 60 s ad says everything.
_INTRO = Beat(SceneRole.INTRO, ("intro.brand", "intro"), pad_host=True)
_FEATURES = Beat(SceneRole.BENEFIT, ("benefit",), "screen.feature", priority=1, per_feature=True, pad_host=True)
_RATING = Beat(SceneRole.PROOF, ("proof.rating_count", "proof.rating"), "screen.rating", priority=3, pad_host=True)
_QUOTE = Beat(SceneRole.PROOF, ("proof.quote",), "screen.quote", priority=4)
_PRICE = Beat(SceneRole.OFFER, ("offer.price",), "screen.price", priority=2)
# Long ads name the product and its price once more before the call to action.
_RECAP = Beat(SceneRole.OFFER, ("recap.price",), "screen.price", priority=8)
_CTA = Beat(SceneRole.CTA, ("cta",), "screen.cta")


def _hook(slot: str) -> Beat:
    return Beat(SceneRole.HOOK, (slot,))


_WRITTEN: tuple[ScriptStyle, ...] = (
    ScriptStyle(
        "DiscoveryWriter", "Discovery", "curious",
        (_hook("discovery.hook"), _INTRO, _FEATURES, _RATING, _QUOTE, _PRICE, _RECAP, _CTA),
    ),
    ScriptStyle(
        "BenefitsV2", "Benefits", "confident",
        (_hook("benefits.hook"), replace(_FEATURES, priority=0), _RATING, _PRICE, _QUOTE, _RECAP, _CTA),
    ),
    ScriptStyle(
        "ProblemSolutionV2", "Problem Solution", "empathetic",
        (
            _hook("problem.hook"),
            Beat(SceneRole.PROBLEM, ("problem.problem",), "screen.none", priority=1),
            Beat(SceneRole.INTRO, ("problem.solution",), pad_host=True),
            _FEATURES, _RATING, _QUOTE, _PRICE, _RECAP, _CTA,
        ),
    ),
    ScriptStyle(
        "SpecialOffersV2", "Special Offers", "urgent",
        (
            _hook("offers.hook"), _INTRO,
            Beat(SceneRole.OFFER, ("offers.price", "offers.noprice"), "screen.price"),
            replace(_FEATURES, priority=3), _RATING, _QUOTE, _RECAP,
            Beat(SceneRole.CTA, ("offers.cta",), "screen.cta"),
        ),
    ),
    ScriptStyle(
        "LetMeShowYouWriter", "Let Me Show You", "friendly",
        (_hook("show.hook"), _FEATURES, _RATING, _QUOTE, _PRICE, _RECAP, _CTA),
    ),
    ScriptStyle(
        "CallToActionV2", "Call To Action", "urgent",
        (
            _hook("action.hook"), _INTRO, _FEATURES, _PRICE, _RATING, _QUOTE, _RECAP,
            Beat(SceneRole.CTA, ("action.cta",), "screen.cta"),
        ),
    ),
    ScriptStyle(
        "ProductHighlightsV2", "Product Highlights", "informative",
        (_hook("highlights.hook"), replace(_FEATURES, priority=0), _RATING, _PRICE, _QUOTE, _RECAP, _CTA),
    ),
)  # fmt: skip

_DISCOVERY = _WRITTEN[0]
# Deal hooks set an urgent tone; the others open on curiosity.
_URGENT_HOOKS = {
    "PriceDropRegretHook", "GroupBuyFrustrationHook", "StopAffordExcuseHook", "LifeTooShortDiscountHook",
    "HugePriceDropRushHook", "PriceCouldGoLowerHook", "StillFullPriceHook", "SecretDiscountShareHook",
    "VoucherSavingsAlertHook", "CouponDiscoveryRegretHook", "BestDealEverHook", "MissingOutAlertHook",
}  # fmt: skip

# A hook style is DiscoveryWriter's body opened by the hook line its label names.
_HOOKED: tuple[ScriptStyle, ...] = tuple(
    ScriptStyle(
        name, label, "urgent" if name in _URGENT_HOOKS else "curious",
        (_hook(f"hook.{name}"), *_DISCOVERY.beats[1:]),
    )
    for name, label in HOOK_LABELS.items()
)  # fmt: skip

STYLES: dict[str, ScriptStyle] = {
    s.name: s
    for s in (
        *_WRITTEN,
        # The contract keeps both generations of Problem-Solution; offline they read the same.
        replace(_WRITTEN[2], name="ProblemSolutionWriter", label="Problem-Solution"),
        *_HOOKED,
    )
}


def get_style(name: str) -> ScriptStyle:
    if name in STYLES:
        return STYLES[name]
    available = ", ".join(s for s in STYLE_NAMES if s in STYLES)
    if name in STYLE_NAMES:
        raise InputError(f"script style {name} is not available offline yet; available: {available}")
    raise InputError(f"unknown script style {name!r}; available offline: {available}")


# --- phrase banks -------------------------------------------------------------------------------


@dataclass(frozen=True)
class PhraseBank:
    language: str
    locale: str  # Babel locale for prices and decimals
    phrases: Mapping[str, tuple[str, ...]]


# On-screen slots that read the same in every language.
COMMON_PHRASES: dict[str, tuple[str, ...]] = {
    "screen.name": ("{name}",),
    "screen.feature": ("{feature_short}",),
    "screen.price": ("{price}",),
    "screen.rating": ("★ {rating}/{scale}",),
    "screen.none": ("",),
}

_EN = {
    "discovery.hook": (
        "So, I just found something I can't stop using.",
        "I wasn't expecting to love this so much.",
        "You have to see what I just discovered.",
        "I found something that changed my routine.",
    ),
    "benefits.hook": (
        "Here's why {name} is worth it.",
        "Let's talk about what {name} does for you.",
        "{name} gets a lot right. Here's what.",
    ),
    "problem.hook": (
        "Tired of products that just don't deliver?",
        "Still looking for something that actually works?",
        "Sound familiar? You've tried everything, and nothing sticks.",
    ),
    "problem.problem": (
        "It's frustrating, and it costs you time and money.",
        "You shouldn't have to settle for less.",
        "It's time for something better.",
    ),
    "problem.solution": ("That's where {name} comes in.", "Enter {name}.", "{name} changes that."),
    "offers.hook": (
        "Stop scrolling, this deal is worth a look.",
        "Here's an offer you'll want to see.",
        "Looking for a good deal? Listen up.",
    ),
    "offers.price": (
        "Right now you can get it for {price}.",
        "Today it's yours for {price}.",
        "The price right now: {price}.",
    ),
    "offers.noprice": ("Check the link for today's price.", "Tap the link to see today's offer."),
    "offers.cta": (
        "Tap the link and grab this deal today.",
        "Don't wait, tap the link and claim your offer.",
    ),
    "show.hook": (
        "Let me show you {name}.",
        "Let me show you why {name} is worth it.",
        "Let me show you what {name} can do.",
    ),
    "action.hook": (
        "Don't scroll past this one.",
        "This is your sign.",
        "Stop what you're doing for a second.",
    ),
    "action.cta": (
        "Don't wait: tap the link and get yours now.",
        "Your move. Tap the link and order today.",
    ),
    "highlights.hook": (
        "Here are the highlights of {name}.",
        "{name}, in a few highlights.",
        "A quick look at what makes {name} stand out.",
    ),
    "intro": ("Meet {name}.", "This is {name}.", "Say hello to {name}."),
    "intro.brand": (
        "Meet {name} by {brand}.",
        "This is {name} from {brand}.",
        "Say hello to {name}, made by {brand}.",
    ),
    "benefit": (
        "What stands out: {feature}.",
        "Here's a favorite: {feature}.",
        "Also worth knowing: {feature}.",
        "And there's more: {feature}.",
        "You'll love this part: {feature}.",
    ),
    "proof.rating_count": (
        "It's rated {rating} out of {scale} across {count} reviews.",
        "{count} reviews, with an average of {rating} out of {scale}.",
    ),
    "proof.rating": (
        "Reviewers rate it {rating} out of {scale}.",
        "It holds a {rating} out of {scale} rating.",
    ),
    "proof.quote": ("One reviewer said it best: {quote}", "Here's what one customer wrote: {quote}"),
    "offer.price": ("And it's yours for {price}.", "All of that for {price}.", "The price? {price}."),
    "recap.price": ("{name}, for {price}.", "One more time: {name}, for {price}."),
    "cta": (
        "Tap the link and get yours today.",
        "Check it out at the link below.",
        "Get yours now, just tap the link.",
    ),
    "pad": (
        "Take a closer look.",
        "See it for yourself.",
        "It's easy to see why.",
        "It fits right into your day.",
        "Simple, smart, and ready when you are.",
        "Once you try it, you'll get it.",
        "Honestly, it's worth a look.",
        "Every detail feels well thought out.",
        "It just makes things easier.",
        "This is the one I keep coming back to.",
        "Made for everyday life.",
        "You'll wonder how you managed without it.",
        "Small thing, big difference.",
        "It's one of those finds you want to share.",
        "Trust me on this one.",
        "Picture it in your own routine.",
    ),
    "screen.cta": ("Shop now", "Get yours", "Tap to shop"),
    "screen.quote": ("“{quote_short}”",),
    "hook.NegativeHook": ("Don't use this if you want to keep doing things the hard way.",),
    "hook.NumberOneHook": ("This is the number one hack you need right now.",),
    "hook.EverWonderHook": ("Ever wonder why some people make it look so easy?",),
    "hook.SecretHook": ("Honestly, I wish I could keep this one a secret.",),
    "hook.WhatHappensHook": ("What happens if you try this? Let me show you.",),
    "hook.AnyoneElseHook": ("Is it just me, or do we all have that one thing we can't live without?",),
    "hook.AmazedHook": ("I'm still amazed by this.",),
    "hook.2025Hook": ("This is how you hack 2025.",),
    "hook.HateMeHook": ("People are going to hate me for sharing this.",),
    "hook.HeyAlgorithmHook": ("Hey algorithm, show this to everyone who needs it.",),
    "hook.CannotBelieveHook": ("I cannot believe this actually works.",),
    "hook.FinallyConfidentHook": ("I finally feel confident, and here's why.",),
    "hook.PremiumFeelingHook": ("This feels so premium, I can't get over it.",),
    "hook.FirstTimeFullHook": ("For the first time, it feels like I have it all.",),
    "hook.LongLineReasonHook": ("There's a reason people line up for this.",),
    "hook.MissingOutAlertHook": ("Missing out alert! You need to know about this.",),
    "hook.BetterTodayVersionHook": ("Want a better version of your day, starting today?",),
    "hook.BigHappeningHook": ("Something big is happening, and you'll want in.",),
    "hook.PriceDropRegretHook": ("Don't be the one who regrets missing this price.",),
    "hook.GroupBuyFrustrationHook": ("Tired of waiting on group buys just to get a good price?",),
    "hook.StopAffordExcuseHook": ("Stop telling yourself you can't afford this.",),
    "hook.LifeTooShortDiscountHook": ("Life's too short to skip a good discount.",),
    "hook.HugePriceDropRushHook": ("Huge price drop, so you'll want to hurry on this one.",),
    "hook.PriceCouldGoLowerHook": ("Waiting for the price to go even lower? Here's why you shouldn't.",),
    "hook.StillFullPriceHook": ("Still paying full price? Stop right there.",),
    "hook.SecretDiscountShareHook": ("I'm sharing a little secret about a discount.",),
    "hook.VoucherSavingsAlertHook": ("Savings alert! Check for a voucher before you buy.",),
    "hook.CouponDiscoveryRegretHook": ("I wish I'd found this coupon sooner.",),
    "hook.BestDealEverHook": ("This might be the best deal I've ever seen.",),
}

_ES = {
    "discovery.hook": (
        "Acabo de descubrir algo que no paro de usar.",
        "No esperaba que me gustara tanto.",
        "Tienes que ver lo que acabo de descubrir.",
        "Encontré algo que cambió mi día a día.",
    ),
    "benefits.hook": (
        "Por esto {name} vale la pena.",
        "Hablemos de lo que {name} hace por ti.",
        "{name} acierta en muchas cosas. Te cuento cuáles.",
    ),
    "problem.hook": (
        "¿Cansado de productos que no cumplen lo que prometen?",
        "¿Sigues buscando algo que de verdad funcione?",
        "¿Te suena? Lo has probado todo y nada funciona.",
    ),
    "problem.problem": (
        "Es frustrante, y te cuesta tiempo y dinero.",
        "No deberías conformarte con menos.",
        "Ya es hora de algo mejor.",
    ),
    "problem.solution": ("Aquí es donde entra {name}.", "Llega {name}.", "{name} lo cambia todo."),
    "offers.hook": (
        "Para de deslizar, esta oferta merece la pena.",
        "Aquí tienes una oferta que querrás ver.",
        "¿Buscas una buena oferta? Escucha.",
    ),
    "offers.price": (
        "Ahora mismo puedes conseguirlo por {price}.",
        "Hoy es tuyo por {price}.",
        "El precio ahora mismo: {price}.",
    ),
    "offers.noprice": ("Mira el precio de hoy en el enlace.", "Toca el enlace para ver la oferta de hoy."),
    "offers.cta": (
        "Toca el enlace y aprovecha esta oferta hoy.",
        "No esperes: toca el enlace y consigue tu oferta.",
    ),
    "show.hook": (
        "Déjame enseñarte {name}.",
        "Déjame enseñarte por qué {name} vale la pena.",
        "Déjame enseñarte lo que puede hacer {name}.",
    ),
    "action.hook": ("No pases de largo.", "Esta es tu señal.", "Para un segundo lo que estás haciendo."),
    "action.cta": (
        "No esperes: toca el enlace y consigue el tuyo ya.",
        "Te toca a ti. Toca el enlace y pídelo hoy.",
    ),
    "highlights.hook": (
        "Estos son los puntos fuertes de {name}.",
        "{name}, en unos pocos puntos clave.",
        "Un vistazo rápido a lo que hace especial a {name}.",
    ),
    "intro": ("Te presento {name}.", "Esto es {name}.", "Saluda a {name}."),
    "intro.brand": (
        "Te presento {name}, de {brand}.",
        "Esto es {name}, de {brand}.",
        "Saluda a {name}, de {brand}.",
    ),
    "benefit": (
        "Lo que más destaca: {feature}.",
        "Uno de mis favoritos: {feature}.",
        "También vale la pena saberlo: {feature}.",
        "Y hay más: {feature}.",
        "Esto te va a encantar: {feature}.",
    ),
    "proof.rating_count": (
        "Tiene una valoración de {rating} sobre {scale} en {count} reseñas.",
        "{count} reseñas, con una media de {rating} sobre {scale}.",
    ),
    "proof.rating": (
        "Los clientes le dan un {rating} sobre {scale}.",
        "Tiene una valoración de {rating} sobre {scale}.",
    ),
    "proof.quote": ("Un cliente lo dijo muy claro: {quote}", "Esto escribió un comprador: {quote}"),
    "offer.price": ("Y es tuyo por {price}.", "Todo eso por {price}.", "¿El precio? {price}."),
    "recap.price": ("{name}, por {price}.", "Una vez más: {name}, por {price}."),
    "cta": (
        "Toca el enlace y consigue el tuyo hoy.",
        "Descúbrelo en el enlace de abajo.",
        "Consigue el tuyo ahora, solo toca el enlace.",
    ),
    "pad": (
        "Míralo de cerca.",
        "Compruébalo tú mismo.",
        "Es fácil ver por qué.",
        "Encaja perfectamente en tu día.",
        "Sencillo, práctico y listo cuando tú lo estés.",
        "En cuanto lo pruebes, lo entenderás.",
        "De verdad, vale la pena echarle un vistazo.",
        "Cada detalle está muy bien pensado.",
        "Simplemente te hace la vida más fácil.",
        "Es de esas cosas a las que siempre vuelves.",
        "Pensado para tu día a día.",
        "Te preguntarás cómo vivías sin él.",
        "Un pequeño detalle, una gran diferencia.",
        "Es de esos hallazgos que quieres compartir.",
        "Hazme caso con esto.",
        "Imagínalo en tu rutina.",
    ),
    "screen.cta": ("Compra ahora", "Consigue el tuyo", "Toca para comprar"),
    "screen.quote": ("«{quote_short}»",),
    "hook.NegativeHook": ("No uses esto si quieres seguir complicándote la vida.",),
    "hook.NumberOneHook": ("Este es el truco número uno que necesitas.",),
    "hook.EverWonderHook": ("¿Alguna vez te has preguntado por qué a algunos todo les resulta tan fácil?",),
    "hook.SecretHook": ("Sinceramente, ojalá pudiera guardarme este secreto.",),
    "hook.WhatHappensHook": ("¿Qué pasa si pruebas esto? Te lo enseño.",),
    "hook.AnyoneElseHook": ("¿Me pasa solo a mí, o todos tenemos esa cosa sin la que no podemos vivir?",),
    "hook.AmazedHook": ("Esto todavía me sorprende.",),
    "hook.2025Hook": ("Así se domina el 2025.",),
    "hook.HateMeHook": ("Me van a odiar por contar esto.",),
    "hook.HeyAlgorithmHook": ("Oye, algoritmo, enséñale esto a todo el que lo necesite.",),
    "hook.CannotBelieveHook": ("No puedo creer que esto funcione de verdad.",),
    "hook.FinallyConfidentHook": ("Por fin tengo confianza en mí, y te cuento por qué.",),
    "hook.PremiumFeelingHook": ("Se siente tan de lujo que todavía no me lo creo.",),
    "hook.FirstTimeFullHook": ("Por primera vez, siento que lo tengo todo.",),
    "hook.LongLineReasonHook": ("Hay una razón por la que la gente hace cola por esto.",),
    "hook.MissingOutAlertHook": ("¡Alerta! No te pierdas esto.",),
    "hook.BetterTodayVersionHook": ("¿Quieres una versión mejor de tu día, a partir de hoy?",),
    "hook.BigHappeningHook": ("Está pasando algo grande, y vas a querer formar parte.",),
    "hook.PriceDropRegretHook": ("No seas quien se arrepiente de dejar pasar este precio.",),
    "hook.GroupBuyFrustrationHook": ("¿Harto de esperar una compra en grupo para conseguir un buen precio?",),
    "hook.StopAffordExcuseHook": ("Deja de decirte que no te lo puedes permitir.",),
    "hook.LifeTooShortDiscountHook": ("La vida es demasiado corta para dejar pasar un buen descuento.",),
    "hook.HugePriceDropRushHook": ("Gran bajada de precio: date prisa con esta.",),
    "hook.PriceCouldGoLowerHook": ("¿Esperando a que baje aún más? Te explico por qué no deberías.",),
    "hook.StillFullPriceHook": ("¿Sigues pagando el precio completo? Espera un momento.",),
    "hook.SecretDiscountShareHook": ("Te voy a contar un pequeño secreto sobre un descuento.",),
    "hook.VoucherSavingsAlertHook": ("¡Alerta de ahorro! Busca un cupón antes de comprar.",),
    "hook.CouponDiscoveryRegretHook": ("Ojalá hubiera encontrado este cupón antes.",),
    "hook.BestDealEverHook": ("Puede que sea la mejor oferta que he visto nunca.",),
}

_DE = {
    "discovery.hook": (
        "Also, ich habe etwas entdeckt, das ich ständig benutze.",
        "Ich hätte nicht gedacht, dass ich das so lieben würde.",
        "Schau dir an, was ich gerade entdeckt habe.",
        "Ich habe etwas gefunden, das meinen Alltag verändert hat.",
    ),
    "benefits.hook": (
        "Darum lohnt sich {name}.",
        "Reden wir darüber, was {name} für dich tut.",
        "{name} macht vieles richtig. Ich zeige dir, was.",
    ),
    "problem.hook": (
        "Genug von Produkten, die nicht halten, was sie versprechen?",
        "Suchst du immer noch etwas, das wirklich funktioniert?",
        "Kommt dir bekannt vor? Du hast alles probiert, und nichts hilft.",
    ),
    "problem.problem": (
        "Das ist frustrierend und kostet Zeit und Geld.",
        "Du solltest dich nicht mit weniger zufriedengeben.",
        "Zeit für etwas Besseres.",
    ),
    "problem.solution": ("Genau hier kommt {name} ins Spiel.", "Die Lösung: {name}.", "{name} ändert das."),
    "offers.hook": (
        "Nicht weiterscrollen, dieses Angebot lohnt sich.",
        "Hier ist ein Angebot, das du sehen willst.",
        "Auf der Suche nach einem Schnäppchen? Hör zu.",
    ),
    "offers.price": (
        "Gerade bekommst du es für {price}.",
        "Heute gehört es dir für {price}.",
        "Der Preis im Moment: {price}.",
    ),
    "offers.noprice": (
        "Den aktuellen Preis findest du über den Link.",
        "Tippe auf den Link für das heutige Angebot.",
    ),
    "offers.cta": (
        "Tippe auf den Link und sichere dir das Angebot noch heute.",
        "Nicht warten: Tippe auf den Link und hol dir dein Angebot.",
    ),
    "show.hook": (
        "Ich zeige dir {name}.",
        "Ich zeige dir, warum sich {name} lohnt.",
        "Ich zeige dir, was {name} alles kann.",
    ),
    "action.hook": ("Scroll hier nicht vorbei.", "Das ist dein Zeichen.", "Halt mal kurz inne."),
    "action.cta": (
        "Nicht warten: Tippe auf den Link und hol es dir jetzt.",
        "Du bist dran. Tippe auf den Link und bestell noch heute.",
    ),
    "highlights.hook": (
        "Das Beste an {name} im Überblick.",
        "{name} in wenigen Punkten.",
        "Ein kurzer Blick darauf, was {name} besonders macht.",
    ),
    "intro": ("Das ist {name}.", "Darf ich vorstellen: {name}.", "Hier kommt {name}."),
    "intro.brand": (
        "Das ist {name} von {brand}.",
        "Darf ich vorstellen: {name} von {brand}.",
        "Hier kommt {name} von {brand}.",
    ),
    "benefit": (
        "Was besonders auffällt: {feature}.",
        "Mein Favorit: {feature}.",
        "Auch gut zu wissen: {feature}.",
        "Und es gibt noch mehr: {feature}.",
        "Das wirst du lieben: {feature}.",
    ),
    "proof.rating_count": (
        "Bewertet mit {rating} von {scale} Sternen bei {count} Bewertungen.",
        "{count} Bewertungen, im Schnitt {rating} von {scale} Sternen.",
    ),
    "proof.rating": (
        "Kunden geben {rating} von {scale} Sternen.",
        "Im Schnitt gibt es {rating} von {scale} Sternen.",
    ),
    "proof.quote": ("Ein Kunde bringt es auf den Punkt: {quote}", "Das schreibt eine Käuferin: {quote}"),
    "offer.price": ("Und das alles für {price}.", "Das alles gibt es für {price}.", "Der Preis? {price}."),
    "recap.price": ("{name}, für {price}.", "Noch einmal: {name}, für {price}."),
    "cta": (
        "Tippe auf den Link und sichere dir deins noch heute.",
        "Schau es dir über den Link unten an.",
        "Hol es dir jetzt, einfach auf den Link tippen.",
    ),
    "pad": (
        "Schau genau hin.",
        "Überzeug dich selbst.",
        "Es ist leicht zu sehen, warum.",
        "Es passt perfekt in deinen Alltag.",
        "Einfach, clever und jederzeit bereit.",
        "Sobald du es ausprobierst, verstehst du es.",
        "Ehrlich, ein Blick lohnt sich.",
        "Jedes Detail ist durchdacht.",
        "Es macht einfach vieles leichter.",
        "Darauf greife ich immer wieder zurück.",
        "Gemacht für deinen Alltag.",
        "Du wirst dich fragen, wie es ohne ging.",
        "Kleine Sache, großer Unterschied.",
        "So etwas will man einfach teilen.",
        "Vertrau mir da.",
        "Stell es dir in deinem Alltag vor.",
    ),
    "screen.cta": ("Jetzt kaufen", "Jetzt sichern", "Zum Angebot"),
    "screen.quote": ("„{quote_short}“",),
    "hook.NegativeHook": ("Benutz das bloß nicht, wenn du es dir weiter schwer machen willst.",),
    "hook.NumberOneHook": ("Das ist der Trick Nummer eins, den du jetzt brauchst.",),
    "hook.EverWonderHook": ("Hast du dich je gefragt, warum manchen alles so leichtfällt?",),
    "hook.SecretHook": ("Ehrlich gesagt würde ich das am liebsten geheim halten.",),
    "hook.WhatHappensHook": ("Was passiert, wenn du das ausprobierst? Ich zeige es dir.",),
    "hook.AnyoneElseHook": ("Geht es nur mir so, oder hat jeder dieses eine Ding, ohne das nichts geht?",),
    "hook.AmazedHook": ("Ich bin immer noch begeistert davon.",),
    "hook.2025Hook": ("So meisterst du 2025.",),
    "hook.HateMeHook": ("Dafür werden mich einige hassen.",),
    "hook.HeyAlgorithmHook": ("Hallo Algorithmus, zeig das allen, die es brauchen.",),
    "hook.CannotBelieveHook": ("Ich kann nicht glauben, dass das wirklich funktioniert.",),
    "hook.FinallyConfidentHook": ("Endlich fühle ich mich selbstbewusst, und das ist der Grund.",),
    "hook.PremiumFeelingHook": ("Das fühlt sich so hochwertig an, ich komme nicht darüber hinweg.",),
    "hook.FirstTimeFullHook": ("Zum ersten Mal fühlt es sich an, als hätte ich alles.",),
    "hook.LongLineReasonHook": ("Es gibt einen Grund, warum die Leute dafür Schlange stehen.",),
    "hook.MissingOutAlertHook": ("Achtung! Das solltest du nicht verpassen.",),
    "hook.BetterTodayVersionHook": ("Lust auf eine bessere Version deines Tages, ab heute?",),
    "hook.BigHappeningHook": ("Gerade passiert etwas Großes, und da willst du dabei sein.",),
    "hook.PriceDropRegretHook": ("Verpass diesen Preis nicht, sonst ärgerst du dich später.",),
    "hook.GroupBuyFrustrationHook": ("Keine Lust mehr, auf Sammelbestellungen zu warten, nur für einen guten Preis?",),
    "hook.StopAffordExcuseHook": ("Hör auf, dir einzureden, dass du dir das nicht leisten kannst.",),
    "hook.LifeTooShortDiscountHook": ("Das Leben ist zu kurz, um einen guten Rabatt zu verpassen.",),
    "hook.HugePriceDropRushHook": ("Riesige Preissenkung, da solltest du dich beeilen.",),
    "hook.PriceCouldGoLowerHook": ("Wartest du, bis der Preis noch weiter fällt? Darum lohnt sich das nicht.",),
    "hook.StillFullPriceHook": ("Zahlst du etwa noch den vollen Preis? Moment mal.",),
    "hook.SecretDiscountShareHook": ("Ich verrate dir ein kleines Geheimnis über einen Rabatt.",),
    "hook.VoucherSavingsAlertHook": ("Spar-Alarm! Such vor dem Kauf nach einem Gutschein.",),
    "hook.CouponDiscoveryRegretHook": ("Hätte ich diesen Gutschein nur früher gefunden.",),
    "hook.BestDealEverHook": ("Das ist vielleicht das beste Angebot, das ich je gesehen habe.",),
}

_FR = {
    "discovery.hook": (
        "Bon, j'ai trouvé un truc que je n'arrête pas d'utiliser.",
        "Je ne m'attendais pas à l'adorer autant.",
        "Il faut que tu voies ce que je viens de découvrir.",
        "J'ai trouvé quelque chose qui a changé mon quotidien.",
    ),
    "benefits.hook": (
        "Voici pourquoi {name} vaut le coup.",
        "Parlons de ce que {name} fait pour toi.",
        "{name} a tout bon. Je t'explique.",
    ),
    "problem.hook": (
        "Marre des produits qui ne tiennent pas leurs promesses ?",
        "Tu cherches encore quelque chose qui marche vraiment ?",
        "Ça te parle ? Tu as tout essayé, et rien ne marche.",
    ),
    "problem.problem": (
        "C'est frustrant, et ça te coûte du temps et de l'argent.",
        "Tu ne devrais pas te contenter de moins.",
        "Il est temps de passer à mieux.",
    ),
    "problem.solution": ("C'est là qu'intervient {name}.", "Voici {name}.", "{name} change la donne."),
    "offers.hook": (
        "Attends, cette offre vaut le détour.",
        "Voici une offre que tu vas vouloir voir.",
        "Tu cherches une bonne affaire ? Écoute bien.",
    ),
    "offers.price": (
        "En ce moment, tu peux l'avoir pour {price}.",
        "Aujourd'hui, c'est à toi pour {price}.",
        "Le prix en ce moment : {price}.",
    ),
    "offers.noprice": (
        "Le prix du jour t'attend dans le lien.",
        "Clique sur le lien pour voir l'offre du jour.",
    ),
    "offers.cta": (
        "Clique sur le lien et profite de l'offre dès aujourd'hui.",
        "N'attends pas : clique sur le lien et profite de ton offre.",
    ),
    "show.hook": (
        "Laisse-moi te montrer {name}.",
        "Laisse-moi te montrer pourquoi {name} vaut le coup.",
        "Laisse-moi te montrer ce que {name} sait faire.",
    ),
    "action.hook": ("Ne passe pas à côté.", "C'est le signe que tu attendais.", "Arrête-toi une seconde."),
    "action.cta": (
        "N'attends plus : clique sur le lien et commande maintenant.",
        "À toi de jouer. Clique sur le lien et commande aujourd'hui.",
    ),
    "highlights.hook": (
        "Voici les points forts de {name}.",
        "{name}, en quelques points clés.",
        "Un aperçu rapide de ce qui rend {name} unique.",
    ),
    "intro": ("Voici {name}.", "Je te présente {name}.", "Dis bonjour à {name}."),
    "intro.brand": (
        "Voici {name}, signé {brand}.",
        "Je te présente {name}, de la marque {brand}.",
        "Dis bonjour à {name}, signé {brand}.",
    ),
    "benefit": (
        "Ce qui se démarque : {feature}.",
        "Mon coup de cœur : {feature}.",
        "Bon à savoir : {feature}.",
        "Et ce n'est pas tout : {feature}.",
        "Tu vas adorer ça : {feature}.",
    ),
    "proof.rating_count": (
        "Une note de {rating} sur {scale}, d'après {count} avis.",
        "{count} avis, avec une moyenne de {rating} sur {scale}.",
    ),
    "proof.rating": (
        "Les clients lui donnent {rating} sur {scale}.",
        "La note moyenne : {rating} sur {scale}.",
    ),
    "proof.quote": ("Un client l'a très bien dit : {quote}", "Voici ce qu'a écrit une cliente : {quote}"),
    "offer.price": ("Et tout ça pour {price}.", "Le tout pour {price}.", "Le prix ? {price}."),
    "recap.price": ("{name}, pour {price}.", "Encore une fois : {name}, pour {price}."),
    "cta": (
        "Clique sur le lien et commande le tien dès aujourd'hui.",
        "Découvre-le via le lien ci-dessous.",
        "Procure-toi le tien maintenant, le lien est juste là.",
    ),
    "pad": (
        "Regarde de plus près.",
        "Vois par toi-même.",
        "On comprend vite pourquoi.",
        "Ça s'intègre parfaitement à ton quotidien.",
        "Simple, malin et toujours prêt.",
        "Dès que tu l'essaies, tu comprends.",
        "Franchement, ça vaut le coup d'œil.",
        "Chaque détail est bien pensé.",
        "Ça rend tout simplement la vie plus facile.",
        "C'est celui vers lequel je reviens toujours.",
        "Pensé pour ton quotidien.",
        "Tu te demanderas comment tu faisais sans.",
        "Un petit détail, une grande différence.",
        "C'est le genre de trouvaille qu'on a envie de partager.",
        "Fais-moi confiance.",
        "Imagine-le chez toi.",
    ),
    "screen.cta": ("Acheter maintenant", "J'en profite", "Je commande"),
    "screen.quote": ("« {quote_short} »",),
    "hook.NegativeHook": ("N'utilise surtout pas ça si tu veux continuer à te compliquer la vie.",),
    "hook.NumberOneHook": ("Voici l'astuce numéro un dont tu as besoin.",),
    "hook.EverWonderHook": ("Tu t'es déjà demandé pourquoi tout semble si facile pour certains ?",),
    "hook.SecretHook": ("Franchement, j'aurais aimé garder ce secret pour moi.",),
    "hook.WhatHappensHook": ("Que se passe-t-il si tu essaies ça ? Je te montre.",),
    "hook.AnyoneElseHook": ("C'est moi, ou on a tous ce truc dont on ne peut plus se passer ?",),
    "hook.AmazedHook": ("Je n'en reviens toujours pas.",),
    "hook.2025Hook": ("Voici comment réussir ton année 2025.",),
    "hook.HateMeHook": ("On va me détester de partager ça.",),
    "hook.HeyAlgorithmHook": ("Hé, l'algorithme, montre ça à tous ceux qui en ont besoin.",),
    "hook.CannotBelieveHook": ("Je n'arrive pas à croire que ça marche vraiment.",),
    "hook.FinallyConfidentHook": ("J'ai enfin confiance en moi, et voici pourquoi.",),
    "hook.PremiumFeelingHook": ("Ça fait tellement haut de gamme, je n'en reviens pas.",),
    "hook.FirstTimeFullHook": ("Pour la première fois, j'ai l'impression d'avoir tout.",),
    "hook.LongLineReasonHook": ("Si les gens font la queue pour ça, ce n'est pas pour rien.",),
    "hook.MissingOutAlertHook": ("Alerte : ne passe pas à côté de ça.",),
    "hook.BetterTodayVersionHook": ("Envie d'une meilleure version de ta journée, dès aujourd'hui ?",),
    "hook.BigHappeningHook": ("Il se passe quelque chose d'énorme, et tu vas vouloir en être.",),
    "hook.PriceDropRegretHook": ("Ne rate pas ce prix, tu le regretterais.",),
    "hook.GroupBuyFrustrationHook": ("Marre d'attendre un achat groupé pour avoir un bon prix ?",),
    "hook.StopAffordExcuseHook": ("Arrête de te dire que tu n'en as pas les moyens.",),
    "hook.LifeTooShortDiscountHook": ("La vie est trop courte pour rater une bonne réduction.",),
    "hook.HugePriceDropRushHook": ("Énorme baisse de prix : dépêche-toi.",),
    "hook.PriceCouldGoLowerHook": ("Tu attends que le prix baisse encore ? Voici pourquoi c'est une erreur.",),
    "hook.StillFullPriceHook": ("Tu paies encore le prix fort ? Attends une seconde.",),
    "hook.SecretDiscountShareHook": ("Je te partage un petit secret sur une réduction.",),
    "hook.VoucherSavingsAlertHook": ("Alerte économies : cherche un bon de réduction avant d'acheter.",),
    "hook.CouponDiscoveryRegretHook": ("J'aurais aimé trouver ce code promo plus tôt.",),
    "hook.BestDealEverHook": ("C'est peut-être la meilleure affaire que j'aie jamais vue.",),
}

# Japanese: kana only in the spoken templates (espeak-ng reads kanji badly); on-screen slots may
# use kanji because they are never spoken.
_JA = {
    "discovery.hook": (
        "ねえ、てばなせないものを、みつけちゃいました。",
        "こんなにすきになるとは、おもいませんでした。",
        "いまみつけたもの、ぜひみてください。",
        "まいにちがかわるものを、みつけました。",
    ),
    "benefits.hook": (
        "{name}をえらぶりゆう、おしえます。",
        "{name}のいいところを、しょうかいします。",
        "{name}は、ここがすごいんです。",
    ),
    "problem.hook": (
        "やくにたたないものに、もううんざりしていませんか？",
        "ほんとうにつかえるものを、まださがしていますか？",
        "いろいろためしたのに、うまくいかない。そんなことはありませんか？",
    ),
    "problem.problem": (
        "じかんもおかねも、むだになってしまいますよね。",
        "もう、がまんするひつようはありません。",
        "そろそろ、もっといいものをえらびましょう。",
    ),
    "problem.solution": (
        "そこで、{name}のでばんです。",
        "そんなときは、{name}。",
        "{name}が、それをかえてくれます。",
    ),
    "offers.hook": (
        "ちょっとまって、このオファーはみのがせません。",
        "ぜひみてほしい、おとくなじょうほうです。",
        "おかいどくをさがしていますか？ききのがさないで。",
    ),
    "offers.price": (
        "いまなら、{price}でてにはいります。",
        "きょうは、{price}です。",
        "いまのおねだんは、{price}。",
    ),
    "offers.noprice": (
        "きょうのおねだんは、リンクからチェック。",
        "リンクをタップして、きょうのオファーをみてください。",
    ),
    "offers.cta": (
        "リンクをタップして、いますぐおとくにゲットしてください。",
        "まよわずに、リンクからどうぞ。",
    ),
    "show.hook": (
        "{name}を、しょうかいさせてください。",
        "{name}がいいりゆうを、おみせします。",
        "{name}になにができるか、おみせします。",
    ),
    "action.hook": (
        "スクロールしないで、ちょっとまって。",
        "これは、あなたへのサインです。",
        "すこしだけ、てをとめてください。",
    ),
    "action.cta": (
        "まよわずに、いますぐリンクをタップ。",
        "つぎは、あなたのばんです。リンクから、きょうちゅうにどうぞ。",
    ),
    "highlights.hook": (
        "{name}のみどころを、しょうかいします。",
        "{name}のポイントを、まとめました。",
        "{name}のとくちょうを、さっとチェック。",
    ),
    "intro": ("それが、{name}です。", "しょうかいします、{name}です。", "こちらが、{name}です。"),
    "intro.brand": (
        "{brand}の、{name}です。",
        "しょうかいします、{brand}の{name}です。",
        "こちらが、{brand}の{name}です。",
    ),
    "benefit": (
        "とくにいいのは、{feature}。",
        "わたしのおきにいりは、{feature}。",
        "ほかにも、{feature}。",
        "さらに、{feature}。",
        "ここがうれしい、{feature}。",
    ),
    "proof.rating_count": (
        "{count}けんのレビューで、ひょうかは{scale}てんちゅう{rating}てんです。",
        "レビューは{count}けん、へいきんは{scale}てんちゅう{rating}てんです。",
    ),
    "proof.rating": (
        "ひょうかは、{scale}てんちゅう{rating}てんです。",
        "みんなのひょうかは、{scale}てんちゅう{rating}てん。",
    ),
    "proof.quote": ("あるおきゃくさまのこえです。{quote}", "レビューには、こんなこえも。{quote}"),
    "offer.price": ("おねだんは、{price}です。", "これで、{price}。", "きになるおねだんは、{price}。"),
    "recap.price": ("{name}、{price}です。", "もういちど。{name}、{price}です。"),
    "cta": (
        "リンクをタップして、いますぐチェックしてください。",
        "くわしくは、したのリンクから。",
        "いますぐ、リンクからどうぞ。",
    ),
    "pad": (
        "ちかくで、よくみてください。",
        "ぜひ、じぶんのめで、たしかめて。",
        "りゆうは、すぐにわかります。",
        "まいにちのくらしに、ぴったりです。",
        "シンプルで、つかいやすい。",
        "いちどつかえば、わかります。",
        "ほんとうに、みるかちがあります。",
        "こまかいところまで、よくかんがえられています。",
        "まいにちが、ちょっとらくになります。",
        "なんどでも、つかいたくなります。",
        "まいにちのために、つくられています。",
        "これなしのせいかつには、もどれません。",
        "ちいさなことで、おおきなちがい。",
        "だれかに、おしえたくなります。",
        "しんじてください。",
        "つかっているところを、そうぞうしてみて。",
    ),
    "screen.cta": ("今すぐチェック", "購入はこちら", "リンクから購入"),
    "screen.quote": ("「{quote_short}」",),
    "hook.NegativeHook": ("ずっとたいへんなやりかたでいいなら、これはつかわないでください。",),
    "hook.NumberOneHook": ("これが、いまいちばんひつようなライフハックです。",),
    "hook.EverWonderHook": ("どうしてあのひとはいつもらくそうなのか、ふしぎにおもったことはありませんか？",),
    "hook.SecretHook": ("ほんとうは、ないしょにしておきたかったんです。",),
    "hook.WhatHappensHook": ("これをためしたら、どうなるとおもいますか？おみせします。",),
    "hook.AnyoneElseHook": ("だれにでも、てばなせないものって、ありますよね。",),
    "hook.AmazedHook": ("いまでも、これにはおどろいています。",),
    "hook.2025Hook": ("2025ねんは、こうやってのりきりましょう。",),
    "hook.HateMeHook": ("これをおしえたら、きっとおこられちゃいます。",),
    "hook.HeyAlgorithmHook": ("ねえアルゴリズム、これをひつようなひとにとどけて。",),
    "hook.CannotBelieveHook": ("これがほんとうにきくなんて、しんじられません。",),
    "hook.FinallyConfidentHook": ("やっと、じしんがもてるようになりました。そのりゆうは、これです。",),
    "hook.PremiumFeelingHook": ("このこうきゅうかん、たまりません。",),
    "hook.FirstTimeFullHook": ("はじめて、こころからまんぞくできました。",),
    "hook.LongLineReasonHook": ("みんながならんででもほしがるのには、わけがあります。",),
    "hook.MissingOutAlertHook": ("ちゅうい！これ、しらないとそんしますよ。",),
    "hook.BetterTodayVersionHook": ("きょうから、もっといいまいにちにしませんか？",),
    "hook.BigHappeningHook": ("いま、すごいことがおきています。みのがさないで。",),
    "hook.PriceDropRegretHook": ("このねだんをみのがしたら、きっとこうかいします。",),
    "hook.GroupBuyFrustrationHook": ("まとめがいをまたないとやすくならないなんて、もううんざりですよね。",),
    "hook.StopAffordExcuseHook": ("たかくてかえない、といういいわけは、もうやめましょう。",),
    "hook.LifeTooShortDiscountHook": ("じんせいはみじかい。おとくなチャンスは、のがさないで。",),
    "hook.HugePriceDropRushHook": ("おおはばねさげです。いそいでください。",),
    "hook.PriceCouldGoLowerHook": ("もっとやすくなるのを、まっていますか？まつひつようは、ありません。",),
    "hook.StillFullPriceHook": ("まだ、ていかでかっていますか？ちょっとまって。",),
    "hook.SecretDiscountShareHook": ("ないしょのおとくじょうほうを、こっそりおしえます。",),
    "hook.VoucherSavingsAlertHook": ("せつやくアラート！かうまえに、クーポンをチェックしてください。",),
    "hook.CouponDiscoveryRegretHook": ("このクーポン、もっとはやくしりたかった。",),
    "hook.BestDealEverHook": ("これは、いままででいちばんおとくかもしれません。",),
}

_PT = {
    "discovery.hook": (
        "Gente, achei uma coisa que eu não paro de usar.",
        "Eu não esperava gostar tanto disso.",
        "Você precisa ver o que eu acabei de descobrir.",
        "Encontrei algo que mudou o meu dia a dia.",
    ),
    "benefits.hook": (
        "Veja por que {name} vale a pena.",
        "Vamos falar do que {name} faz por você.",
        "{name} acerta em muita coisa. Eu te mostro.",
    ),
    "problem.hook": (
        "Cansado de produtos que não cumprem o que prometem?",
        "Ainda procurando algo que funcione de verdade?",
        "Parece familiar? Você já tentou de tudo e nada deu certo.",
    ),
    "problem.problem": (
        "É frustrante, e custa tempo e dinheiro.",
        "Você não precisa se contentar com menos.",
        "Chegou a hora de algo melhor.",
    ),
    "problem.solution": ("É aí que entra {name}.", "A solução: {name}.", "{name} muda isso."),
    "offers.hook": (
        "Para tudo, essa oferta vale a pena.",
        "Olha só uma oferta que você vai querer ver.",
        "Procurando uma boa oferta? Escuta só.",
    ),
    "offers.price": ("Agora você leva por {price}.", "Hoje sai por {price}.", "O preço agora: {price}."),
    "offers.noprice": ("Confira o preço de hoje no link.", "Toque no link para ver a oferta de hoje."),
    "offers.cta": (
        "Toque no link e aproveite essa oferta hoje.",
        "Não espere: toque no link e garanta a sua oferta.",
    ),
    "show.hook": (
        "Deixa eu te mostrar {name}.",
        "Deixa eu te mostrar por que {name} vale a pena.",
        "Deixa eu te mostrar o que {name} faz.",
    ),
    "action.hook": ("Não passe direto por este vídeo.", "Este é o seu sinal.", "Pare tudo por um segundo."),
    "action.cta": (
        "Não espere: toque no link e garanta o seu agora.",
        "Sua vez. Toque no link e peça hoje.",
    ),
    "highlights.hook": (
        "Estes são os destaques de {name}.",
        "{name}, em poucos destaques.",
        "Uma olhada rápida no que torna {name} especial.",
    ),
    "intro": ("Conheça {name}.", "Apresento {name}.", "Diga olá para {name}."),
    "intro.brand": (
        "Conheça {name}, da {brand}.",
        "Apresento {name}, da marca {brand}.",
        "Diga olá para {name}, da {brand}.",
    ),
    "benefit": (
        "O que mais chama atenção: {feature}.",
        "Um dos meus favoritos: {feature}.",
        "Também vale saber: {feature}.",
        "E tem mais: {feature}.",
        "Você vai amar isto: {feature}.",
    ),
    "proof.rating_count": (
        "Nota {rating} de {scale} em {count} avaliações.",
        "São {count} avaliações, com média de {rating} de {scale}.",
    ),
    "proof.rating": ("Os clientes dão nota {rating} de {scale}.", "A nota média é {rating} de {scale}."),
    "proof.quote": ("Um cliente resumiu bem: {quote}", "Olha o que uma compradora escreveu: {quote}"),
    "offer.price": ("E sai por {price}.", "Tudo isso por {price}.", "O preço? {price}."),
    "recap.price": ("{name}, por {price}.", "Mais uma vez: {name}, por {price}."),
    "cta": (
        "Toque no link e garanta o seu hoje.",
        "Confira no link abaixo.",
        "Garanta o seu agora, é só tocar no link.",
    ),
    "pad": (
        "Olhe mais de perto.",
        "Veja você mesmo.",
        "Dá para entender o porquê.",
        "Combina perfeitamente com o seu dia.",
        "Simples, prático e sempre pronto.",
        "Quando você experimentar, vai entender.",
        "Sinceramente, vale a pena conferir.",
        "Cada detalhe foi bem pensado.",
        "Simplesmente deixa tudo mais fácil.",
        "É daquelas coisas que a gente sempre volta a usar.",
        "Feito para o seu dia a dia.",
        "Você vai se perguntar como vivia sem isso.",
        "Um detalhe pequeno, uma grande diferença.",
        "É daqueles achados que dá vontade de compartilhar.",
        "Confia em mim.",
        "Imagine isso na sua rotina.",
    ),
    "screen.cta": ("Compre agora", "Garanta o seu", "Toque para comprar"),
    "screen.quote": ("“{quote_short}”",),
    "hook.NegativeHook": ("Não use isto se você quer continuar complicando a sua vida.",),
    "hook.NumberOneHook": ("Este é o truque número um que você precisa conhecer.",),
    "hook.EverWonderHook": ("Já se perguntou por que, para algumas pessoas, tudo parece tão fácil?",),
    "hook.SecretHook": ("Sinceramente, eu queria guardar esse segredo só para mim.",),
    "hook.WhatHappensHook": ("O que acontece se você testar isto? Eu te mostro.",),
    "hook.AnyoneElseHook": ("É só comigo, ou todo mundo tem aquela coisa sem a qual não vive?",),
    "hook.AmazedHook": ("Isto ainda me impressiona.",),
    "hook.2025Hook": ("É assim que você domina 2025.",),
    "hook.HateMeHook": ("Vão me odiar por contar isto.",),
    "hook.HeyAlgorithmHook": ("Ei, algoritmo, mostra isto para todo mundo que precisa.",),
    "hook.CannotBelieveHook": ("Não acredito que isto funciona de verdade.",),
    "hook.FinallyConfidentHook": ("Finalmente me sinto confiante, e vou te contar por quê.",),
    "hook.PremiumFeelingHook": ("A sensação é tão sofisticada que eu ainda não acredito.",),
    "hook.FirstTimeFullHook": ("Pela primeira vez, sinto que tenho tudo.",),
    "hook.LongLineReasonHook": ("Tem um motivo para as pessoas fazerem fila por isto.",),
    "hook.MissingOutAlertHook": ("Alerta: não fique de fora desta.",),
    "hook.BetterTodayVersionHook": ("Que tal uma versão melhor do seu dia, a partir de hoje?",),
    "hook.BigHappeningHook": ("Está acontecendo algo grande, e você vai querer participar.",),
    "hook.PriceDropRegretHook": ("Não perca este preço, ou vai se arrepender depois.",),
    "hook.GroupBuyFrustrationHook": ("Cansado de esperar uma compra coletiva só para conseguir um bom preço?",),
    "hook.StopAffordExcuseHook": ("Pare de dizer a si mesmo que não pode pagar por isso.",),
    "hook.LifeTooShortDiscountHook": ("A vida é curta demais para perder um bom desconto.",),
    "hook.HugePriceDropRushHook": ("Queda enorme de preço: corra para garantir o seu.",),
    "hook.PriceCouldGoLowerHook": ("Esperando o preço cair ainda mais? Veja por que não vale a pena.",),
    "hook.StillFullPriceHook": ("Ainda pagando o preço cheio? Espera aí.",),
    "hook.SecretDiscountShareHook": ("Vou te contar um segredinho sobre um desconto.",),
    "hook.VoucherSavingsAlertHook": ("Alerta de economia: procure um cupom antes de comprar.",),
    "hook.CouponDiscoveryRegretHook": ("Queria ter achado este cupom antes.",),
    "hook.BestDealEverHook": ("Essa talvez seja a melhor oferta que eu já vi.",),
}

_IT = {
    "discovery.hook": (
        "Allora, ho trovato una cosa che non smetto più di usare.",
        "Non mi aspettavo che mi piacesse così tanto.",
        "Devi vedere cosa ho appena scoperto.",
        "Ho trovato qualcosa che ha cambiato le mie giornate.",
    ),
    "benefits.hook": (
        "Ecco perché {name} vale la pena.",
        "Parliamo di cosa fa {name} per te.",
        "{name} fa tante cose giuste. Ti dico quali.",
    ),
    "problem.hook": (
        "Stanco di prodotti che non mantengono le promesse?",
        "Stai ancora cercando qualcosa che funzioni davvero?",
        "Ti suona familiare? Hai provato di tutto e niente funziona.",
    ),
    "problem.problem": (
        "È frustrante, e ti costa tempo e soldi.",
        "Non dovresti accontentarti.",
        "È ora di qualcosa di meglio.",
    ),
    "problem.solution": ("Ed è qui che entra in gioco {name}.", "Ecco {name}.", "{name} cambia le cose."),
    "offers.hook": (
        "Fermati, questa offerta merita.",
        "Ecco un'offerta che vorrai vedere.",
        "Cerchi un buon affare? Ascolta.",
    ),
    "offers.price": (
        "In questo momento lo prendi a {price}.",
        "Oggi è tuo a {price}.",
        "Il prezzo adesso: {price}.",
    ),
    "offers.noprice": ("Trovi il prezzo di oggi nel link.", "Tocca il link per vedere l'offerta di oggi."),
    "offers.cta": (
        "Tocca il link e approfitta dell'offerta oggi.",
        "Non aspettare: tocca il link e prendi la tua offerta.",
    ),
    "show.hook": (
        "Lascia che ti mostri {name}.",
        "Lascia che ti mostri perché {name} vale la pena.",
        "Lascia che ti mostri cosa sa fare {name}.",
    ),
    "action.hook": ("Non scorrere oltre.", "Questo è il tuo segnale.", "Fermati un secondo."),
    "action.cta": (
        "Non aspettare: tocca il link e prendi il tuo adesso.",
        "Tocca a te. Tocca il link e ordina oggi.",
    ),
    "highlights.hook": (
        "Ecco i punti forti di {name}.",
        "{name}, in pochi punti chiave.",
        "Uno sguardo veloce a cosa rende speciale {name}.",
    ),
    "intro": ("Ecco {name}.", "Ti presento {name}.", "Saluta {name}."),
    "intro.brand": (
        "Ecco {name} di {brand}.",
        "Ti presento {name}, firmato {brand}.",
        "Saluta {name} di {brand}.",
    ),
    "benefit": (
        "Cosa spicca: {feature}.",
        "Il mio preferito: {feature}.",
        "Buono a sapersi: {feature}.",
        "E non è tutto: {feature}.",
        "Questo ti piacerà: {feature}.",
    ),
    "proof.rating_count": (
        "Voto {rating} su {scale} in {count} recensioni.",
        "{count} recensioni, con una media di {rating} su {scale}.",
    ),
    "proof.rating": (
        "I clienti gli danno {rating} su {scale}.",
        "Ha una valutazione di {rating} su {scale}.",
    ),
    "proof.quote": (
        "Un cliente l'ha detto benissimo: {quote}",
        "Ecco cosa ha scritto un'acquirente: {quote}",
    ),
    "offer.price": ("E tutto questo a {price}.", "Il tutto per {price}.", "Il prezzo? {price}."),
    "recap.price": ("{name}, a {price}.", "Ancora una volta: {name}, a {price}."),
    "cta": (
        "Tocca il link e prendi il tuo oggi stesso.",
        "Scoprilo nel link qui sotto.",
        "Prendi il tuo adesso, basta toccare il link.",
    ),
    "pad": (
        "Guarda da vicino.",
        "Giudica tu stesso.",
        "È facile capire perché.",
        "Si adatta perfettamente alla tua giornata.",
        "Semplice, intelligente e sempre pronto.",
        "Appena lo provi, capisci.",
        "Sinceramente, vale la pena dargli un'occhiata.",
        "Ogni dettaglio è ben studiato.",
        "Ti semplifica davvero la vita.",
        "È una di quelle cose a cui torni sempre.",
        "Pensato per la tua vita di tutti i giorni.",
        "Ti chiederai come facevi senza.",
        "Un piccolo dettaglio, una grande differenza.",
        "È una di quelle scoperte che vuoi condividere.",
        "Fidati di me.",
        "Immaginalo nella tua giornata.",
    ),
    "screen.cta": ("Acquista ora", "Prendi il tuo", "Scopri di più"),
    "screen.quote": ("«{quote_short}»",),
    "hook.NegativeHook": ("Non usarlo se vuoi continuare a complicarti la vita.",),
    "hook.NumberOneHook": ("Questo è il trucco numero uno che ti serve.",),
    "hook.EverWonderHook": ("Ti sei mai chiesto perché per alcuni sembra tutto così facile?",),
    "hook.SecretHook": ("Sinceramente, vorrei poter tenere questo segreto per me.",),
    "hook.WhatHappensHook": ("Cosa succede se provi questo? Te lo mostro.",),
    "hook.AnyoneElseHook": ("Capita solo a me, o tutti abbiamo quella cosa di cui non possiamo fare a meno?",),
    "hook.AmazedHook": ("Questo mi stupisce ancora.",),
    "hook.2025Hook": ("Ecco come conquistare il 2025.",),
    "hook.HateMeHook": ("Mi odieranno per aver condiviso questo.",),
    "hook.HeyAlgorithmHook": ("Ehi algoritmo, mostra questo a chi ne ha bisogno.",),
    "hook.CannotBelieveHook": ("Non riesco a credere che funzioni davvero.",),
    "hook.FinallyConfidentHook": ("Finalmente ho ritrovato la mia sicurezza, ed ecco perché.",),
    "hook.PremiumFeelingHook": ("Ha un'aria così di lusso che non ci credo ancora.",),
    "hook.FirstTimeFullHook": ("Per la prima volta, sento di avere tutto.",),
    "hook.LongLineReasonHook": ("C'è un motivo se la gente fa la fila per questo.",),
    "hook.MissingOutAlertHook": ("Attenzione: non lasciartelo sfuggire.",),
    "hook.BetterTodayVersionHook": ("Vuoi una versione migliore della tua giornata, a partire da oggi?",),
    "hook.BigHappeningHook": ("Sta succedendo qualcosa di grosso, e vorrai esserci.",),
    "hook.PriceDropRegretHook": ("Non lasciarti scappare questo prezzo, te ne pentiresti.",),
    "hook.GroupBuyFrustrationHook": ("Stanco di aspettare un acquisto di gruppo solo per avere un buon prezzo?",),
    "hook.StopAffordExcuseHook": ("Smettila di dirti che non puoi permettertelo.",),
    "hook.LifeTooShortDiscountHook": ("La vita è troppo breve per perdersi un buon sconto.",),
    "hook.HugePriceDropRushHook": ("Prezzo crollato: sbrigati.",),
    "hook.PriceCouldGoLowerHook": ("Aspetti che il prezzo scenda ancora? Ecco perché non conviene.",),
    "hook.StillFullPriceHook": ("Paghi ancora il prezzo pieno? Aspetta un attimo.",),
    "hook.SecretDiscountShareHook": ("Ti svelo un piccolo segreto su uno sconto.",),
    "hook.VoucherSavingsAlertHook": ("Allerta risparmio: cerca un buono sconto prima di comprare.",),
    "hook.CouponDiscoveryRegretHook": ("Vorrei aver trovato prima questo codice sconto.",),
    "hook.BestDealEverHook": ("Forse è l'affare migliore che abbia mai visto.",),
}

_NL = {
    "discovery.hook": (
        "Oké, ik heb iets gevonden dat ik steeds gebruik.",
        "Ik had niet verwacht dat ik dit zo leuk zou vinden.",
        "Je moet echt zien wat ik net heb ontdekt.",
        "Ik heb iets gevonden dat mijn dagen heeft veranderd.",
    ),
    "benefits.hook": (
        "Daarom is {name} de moeite waard.",
        "Laten we het hebben over wat {name} voor je doet.",
        "{name} doet veel goed. Ik laat je zien wat.",
    ),
    "problem.hook": (
        "Ben je producten zat die niet waarmaken wat ze beloven?",
        "Zoek je nog steeds iets dat echt werkt?",
        "Herkenbaar? Je hebt alles geprobeerd en niets helpt.",
    ),
    "problem.problem": (
        "Het is frustrerend, en het kost je tijd en geld.",
        "Je hoeft geen genoegen te nemen met minder.",
        "Tijd voor iets beters.",
    ),
    "problem.solution": ("Daar komt {name} in beeld.", "De oplossing: {name}.", "{name} verandert dat."),
    "offers.hook": (
        "Niet doorscrollen, deze aanbieding is het bekijken waard.",
        "Hier is een aanbieding die je wilt zien.",
        "Op zoek naar een koopje? Luister even.",
    ),
    "offers.price": (
        "Nu haal je het voor {price}.",
        "Vandaag is het van jou voor {price}.",
        "De prijs op dit moment: {price}.",
    ),
    "offers.noprice": (
        "Bekijk de prijs van vandaag via de link.",
        "Tik op de link voor de aanbieding van vandaag.",
    ),
    "offers.cta": (
        "Tik op de link en pak deze aanbieding vandaag nog.",
        "Wacht niet: tik op de link en claim je aanbieding.",
    ),
    "show.hook": (
        "Ik laat je {name} zien.",
        "Ik laat je zien waarom {name} de moeite waard is.",
        "Ik laat je zien wat {name} kan.",
    ),
    "action.hook": ("Scroll hier niet voorbij.", "Dit is je teken.", "Stop even met wat je doet."),
    "action.cta": (
        "Wacht niet: tik op de link en haal het nu.",
        "Jouw beurt. Tik op de link en bestel vandaag nog.",
    ),
    "highlights.hook": (
        "Dit zijn de hoogtepunten van {name}.",
        "{name}, in een paar hoogtepunten.",
        "Een snelle blik op wat {name} bijzonder maakt.",
    ),
    "intro": ("Dit is {name}.", "Maak kennis met {name}.", "Zeg hallo tegen {name}."),
    "intro.brand": (
        "Dit is {name} van {brand}.",
        "Maak kennis met {name} van {brand}.",
        "Zeg hallo tegen {name} van {brand}.",
    ),
    "benefit": (
        "Wat opvalt: {feature}.",
        "Mijn favoriet: {feature}.",
        "Ook handig om te weten: {feature}.",
        "En er is meer: {feature}.",
        "Dit ga je geweldig vinden: {feature}.",
    ),
    "proof.rating_count": (
        "Gemiddeld een {rating} op {scale}, uit {count} beoordelingen.",
        "{count} beoordelingen, met gemiddeld een {rating} op {scale}.",
    ),
    "proof.rating": (
        "Klanten geven het een {rating} op {scale}.",
        "Het scoort gemiddeld een {rating} op {scale}.",
    ),
    "proof.quote": ("Een klant zei het perfect: {quote}", "Dit schreef een koper: {quote}"),
    "offer.price": ("En dat allemaal voor {price}.", "Alles voor {price}.", "De prijs? {price}."),
    "recap.price": ("{name}, voor {price}.", "Nog één keer: {name}, voor {price}."),
    "cta": (
        "Tik op de link en haal de jouwe vandaag nog.",
        "Bekijk het via de link hieronder.",
        "Haal de jouwe nu, tik gewoon op de link.",
    ),
    "pad": (
        "Kijk eens goed.",
        "Zie het zelf.",
        "Het is makkelijk te zien waarom.",
        "Het past perfect in je dag.",
        "Eenvoudig, slim en altijd klaar.",
        "Zodra je het probeert, snap je het.",
        "Eerlijk, het is de moeite waard.",
        "Elk detail is goed doordacht.",
        "Het maakt alles gewoon makkelijker.",
        "Dit is degene waar ik steeds naar teruggrijp.",
        "Gemaakt voor elke dag.",
        "Je vraagt je af hoe het ooit zonder ging.",
        "Klein ding, groot verschil.",
        "Zo'n vondst die je wilt delen.",
        "Geloof me maar.",
        "Stel het je eens voor in je eigen dag.",
    ),
    "screen.cta": ("Bestel nu", "Haal de jouwe", "Nu kopen"),
    "screen.quote": ("„{quote_short}”",),
    "hook.NegativeHook": ("Gebruik dit niet als je het jezelf moeilijk wilt blijven maken.",),
    "hook.NumberOneHook": ("Dit is de nummer één truc die je nodig hebt.",),
    "hook.EverWonderHook": ("Heb je je ooit afgevraagd waarom het voor sommigen zo makkelijk lijkt?",),
    "hook.SecretHook": ("Eerlijk gezegd had ik dit liever geheim gehouden.",),
    "hook.WhatHappensHook": ("Wat gebeurt er als je dit probeert? Ik laat het je zien.",),
    "hook.AnyoneElseHook": ("Ligt het aan mij, of heeft iedereen dat ene ding waar je niet zonder kunt?",),
    "hook.AmazedHook": ("Ik ben er nog steeds verbaasd over.",),
    "hook.2025Hook": ("Zo maak je van 2025 jouw jaar.",),
    "hook.HateMeHook": ("Ze gaan me haten omdat ik dit deel.",),
    "hook.HeyAlgorithmHook": ("Hé algoritme, laat dit zien aan iedereen die het nodig heeft.",),
    "hook.CannotBelieveHook": ("Ik kan niet geloven dat dit echt werkt.",),
    "hook.FinallyConfidentHook": ("Eindelijk voel ik me zelfverzekerd, en dit is waarom.",),
    "hook.PremiumFeelingHook": ("Dit voelt zo luxe, ik kan er niet over uit.",),
    "hook.FirstTimeFullHook": ("Voor het eerst voelt het alsof ik alles heb.",),
    "hook.LongLineReasonHook": ("Er is een reden dat mensen hiervoor in de rij staan.",),
    "hook.MissingOutAlertHook": ("Let op: dit wil je niet missen.",),
    "hook.BetterTodayVersionHook": ("Zin in een betere versie van je dag, vanaf vandaag?",),
    "hook.BigHappeningHook": ("Er gebeurt iets groots, en daar wil je bij zijn.",),
    "hook.PriceDropRegretHook": ("Mis deze prijs niet, anders krijg je er spijt van.",),
    "hook.GroupBuyFrustrationHook": ("Ben je het zat om op groepsaankopen te wachten voor een goede prijs?",),
    "hook.StopAffordExcuseHook": ("Stop met jezelf wijsmaken dat je dit niet kunt betalen.",),
    "hook.LifeTooShortDiscountHook": ("Het leven is te kort om een goede korting te missen.",),
    "hook.HugePriceDropRushHook": ("Enorme prijsdaling: wees er snel bij.",),
    "hook.PriceCouldGoLowerHook": ("Wacht je tot de prijs nog verder zakt? Daarom is dat geen goed idee.",),
    "hook.StillFullPriceHook": ("Betaal je nog steeds de volle prijs? Wacht even.",),
    "hook.SecretDiscountShareHook": ("Ik verklap je een klein geheimpje over een korting.",),
    "hook.VoucherSavingsAlertHook": ("Bespaaralarm: zoek een kortingsbon voordat je koopt.",),
    "hook.CouponDiscoveryRegretHook": ("Had ik deze kortingscode maar eerder gevonden.",),
    "hook.BestDealEverHook": ("Dit is misschien de beste aanbieding die ik ooit heb gezien.",),
}

PHRASE_BANKS: dict[str, PhraseBank] = {
    b.language: b
    for b in (
        PhraseBank("en", "en_US", _EN),
        PhraseBank("es", "es_ES", _ES),
        PhraseBank("de", "de_DE", _DE),
        PhraseBank("fr", "fr_FR", _FR),
        PhraseBank("ja", "ja_JP", _JA),
        PhraseBank("pt", "pt_BR", _PT),
        PhraseBank("it", "it_IT", _IT),
        PhraseBank("nl", "nl_NL", _NL),
    )
}

# Slots every bank must hold: all that the written styles speak, plus the padding lines.
REQUIRED_SLOTS: frozenset[str] = frozenset(
    {"pad"} | {s for style in STYLES.values() for s in style.slots} - set(COMMON_PHRASES)
)


def get_bank(language: str) -> PhraseBank:
    lang = get_language(language)  # unknown codes get the list of all 29
    if language in PHRASE_BANKS:
        return PHRASE_BANKS[language]
    supported = ", ".join(sorted(PHRASE_BANKS))
    raise InputError(
        f"the offline script writer has no phrases for {lang.name} ({language}) yet; "
        f"it writes: {supported}. Pass override_script to narrate your own text in {lang.name}."
    )


def phrases(bank: PhraseBank, slot: str) -> tuple[str, ...]:
    """The variants of a slot: the language's own, else the language-neutral on-screen ones."""
    if slot in bank.phrases:
        return bank.phrases[slot]
    return COMMON_PHRASES[slot]
