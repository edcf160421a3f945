//! The words of Baraza's e-mail in the six UN languages, and the alignment words a reply may
//! begin with. One table per language; `{…}` marks are filled in by `compose`.

use baraza_proto::consultation::Alignment;
use baraza_proto::ids::Millis;

/// The six languages mail is written in.
pub const LANGUAGES: [&str; 6] = ["ar", "en", "es", "fr", "ru", "zh"];

/// The phrases of one language.
#[derive(Debug)]
pub struct Labels {
    /// The language tag.
    pub lang: &'static str,
    /// Whether the script runs right to left.
    pub rtl: bool,
    /// Subject of the invitation: `{title}`.
    pub opened_subject: &'static str,
    /// First line of the invitation: `{name}`.
    pub dear: &'static str,
    /// The consultation is open: `{title}`.
    pub opened: &'static str,
    /// Heading of the questions.
    pub questions: &'static str,
    /// How to answer one question by mail: `{address}`.
    pub answer_by_mail: &'static str,
    /// How to give a position in a reply.
    pub alignment_hint: &'static str,
    /// Where to read on the web: `{link}`.
    pub on_the_web: &'static str,
    /// Subject of a digest: `{title}`.
    pub digest_subject: &'static str,
    /// Heading of new statements.
    pub digest_new: &'static str,
    /// Heading of replies to the person's statements.
    pub digest_replies: &'static str,
    /// How to reply to one entry: `{address}`.
    pub reply_by_mail: &'static str,
    /// Subject of a moderation notice: `{title}`.
    pub decision_subject: &'static str,
    /// Approved.
    pub approved: &'static str,
    /// Rejected: `{reason}`.
    pub rejected: &'static str,
    /// Subject of a phase change: `{title}`.
    pub phase_subject: &'static str,
    /// The phase changed: `{phase}`.
    pub phase_now: &'static str,
    /// The names of the phases, in the order of `Phase`: draft, open, closed, synthesis,
    /// published.
    pub phases: [&'static str; 5],
    /// The synthesis is published: `{link}`.
    pub synthesis: &'static str,
    /// Subject of an automatic answer.
    pub answer_subject: &'static str,
    /// The reply came after submissions closed.
    pub late: &'static str,
    /// The reply address expired.
    pub expired: &'static str,
    /// The mail or an attachment is too large: `{limit}`.
    pub too_large: &'static str,
    /// The mail was not accepted: `{reason}`.
    pub not_accepted: &'static str,
    /// The mail was received and is held for moderation.
    pub received_held: &'static str,
    /// How to stop these mails: `{link}`.
    pub unsubscribe: &'static str,
    /// When submissions close (invitation): `{when}`.
    pub closes: &'static str,
    /// When submissions closed (answer to a late reply): `{when}`.
    pub closed_on: &'static str,
    /// The phase notice of a close at a scheduled deadline: `{when}`.
    pub closed_by_deadline: &'static str,
    /// The names of the months, January first, as they stand in a date.
    pub months: [&'static str; 12],
    /// A date and time: `{day}`, `{month}`, `{year}`, `{time}` (UTC, `14:05`).
    pub date_format: &'static str,
}

const EN: Labels = Labels {
    lang: "en",
    rtl: false,
    opened_subject: "Consultation open: {title}",
    dear: "Dear {name},",
    opened: "The consultation \"{title}\" is open for submissions.",
    questions: "Questions",
    answer_by_mail: "To answer by e-mail, write to {address}",
    alignment_hint: "To reply to a statement, you may begin with one word on its own line: support, neutral or oppose.",
    on_the_web: "Read and take part on the web: {link}",
    digest_subject: "What is new: {title}",
    digest_new: "New statements under the questions you follow",
    digest_replies: "Replies to your statements",
    reply_by_mail: "Reply by e-mail: {address}",
    decision_subject: "Your submission: {title}",
    approved: "Your submission was approved by the moderators and is now published.",
    rejected: "Your submission was not published. The moderators' reason: {reason}",
    phase_subject: "Consultation update: {title}",
    phase_now: "The consultation is now: {phase}.",
    phases: [
        "in preparation",
        "open",
        "closed",
        "being synthesised",
        "published",
    ],
    synthesis: "The synthesis is published: {link}",
    answer_subject: "About your message to Baraza",
    late: "Thank you for your message. Submissions to this consultation have closed, so it could not be added. You can still read the consultation on the web.",
    expired: "Thank you for your message. The address you wrote to has expired; please reply to a more recent e-mail from the consultation.",
    too_large: "Thank you for your message. It could not be accepted because it, or one of its attachments, is larger than {limit}.",
    not_accepted: "Thank you for your message. It could not be accepted: {reason}",
    received_held: "Thank you: your message was received and waits for the moderators.",
    unsubscribe: "To change or stop these e-mails: {link}",
    closes: "Submissions close on {when}.",
    closed_on: "Submissions closed on {when}.",
    closed_by_deadline: "Submissions closed at the deadline set for {when}.",
    months: [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ],
    date_format: "{day} {month} {year}, {time} UTC",
};

const FR: Labels = Labels {
    lang: "fr",
    rtl: false,
    opened_subject: "Consultation ouverte : {title}",
    dear: "Madame, Monsieur {name},",
    opened: "La consultation « {title} » est ouverte aux contributions.",
    questions: "Questions",
    answer_by_mail: "Pour répondre par courriel, écrivez à {address}",
    alignment_hint: "Pour répondre à une déclaration, vous pouvez commencer par un mot seul sur sa ligne : soutien, neutre ou contre.",
    on_the_web: "Lire et participer sur le web : {link}",
    digest_subject: "Nouveautés : {title}",
    digest_new: "Nouvelles déclarations sous les questions que vous suivez",
    digest_replies: "Réponses à vos déclarations",
    reply_by_mail: "Répondre par courriel : {address}",
    decision_subject: "Votre contribution : {title}",
    approved: "Votre contribution a été approuvée par les modérateurs et est publiée.",
    rejected: "Votre contribution n'a pas été publiée. Motif des modérateurs : {reason}",
    phase_subject: "Point sur la consultation : {title}",
    phase_now: "La consultation est maintenant : {phase}.",
    phases: [
        "en préparation",
        "ouverte",
        "close",
        "en synthèse",
        "publiée",
    ],
    synthesis: "La synthèse est publiée : {link}",
    answer_subject: "À propos de votre message à Baraza",
    late: "Merci de votre message. Les contributions à cette consultation sont closes ; il n'a donc pas pu être ajouté. Vous pouvez toujours lire la consultation sur le web.",
    expired: "Merci de votre message. L'adresse à laquelle vous avez écrit a expiré ; veuillez répondre à un courriel plus récent de la consultation.",
    too_large: "Merci de votre message. Il n'a pas pu être accepté : lui ou une pièce jointe dépasse {limit}.",
    not_accepted: "Merci de votre message. Il n'a pas pu être accepté : {reason}",
    received_held: "Merci : votre message a été reçu et attend les modérateurs.",
    unsubscribe: "Pour modifier ou arrêter ces courriels : {link}",
    closes: "Les contributions seront closes le {when}.",
    closed_on: "Les contributions ont été closes le {when}.",
    closed_by_deadline: "Les contributions ont été closes à l'échéance fixée au {when}.",
    months: [
        "janvier",
        "février",
        "mars",
        "avril",
        "mai",
        "juin",
        "juillet",
        "août",
        "septembre",
        "octobre",
        "novembre",
        "décembre",
    ],
    date_format: "{day} {month} {year} à {time} UTC",
};

const ES: Labels = Labels {
    lang: "es",
    rtl: false,
    opened_subject: "Consulta abierta: {title}",
    dear: "Estimado/a {name}:",
    opened: "La consulta «{title}» está abierta a contribuciones.",
    questions: "Preguntas",
    answer_by_mail: "Para responder por correo, escriba a {address}",
    alignment_hint: "Para responder a una declaración, puede empezar con una palabra sola en su línea: apoyo, neutral o en contra.",
    on_the_web: "Lea y participe en la web: {link}",
    digest_subject: "Novedades: {title}",
    digest_new: "Nuevas declaraciones en las preguntas que sigue",
    digest_replies: "Respuestas a sus declaraciones",
    reply_by_mail: "Responder por correo: {address}",
    decision_subject: "Su contribución: {title}",
    approved: "Su contribución fue aprobada por los moderadores y está publicada.",
    rejected: "Su contribución no se publicó. Motivo de los moderadores: {reason}",
    phase_subject: "Novedades de la consulta: {title}",
    phase_now: "La consulta está ahora: {phase}.",
    phases: [
        "en preparación",
        "abierta",
        "cerrada",
        "en síntesis",
        "publicada",
    ],
    synthesis: "La síntesis está publicada: {link}",
    answer_subject: "Sobre su mensaje a Baraza",
    late: "Gracias por su mensaje. Las contribuciones a esta consulta se cerraron, por lo que no pudo añadirse. Puede seguir leyendo la consulta en la web.",
    expired: "Gracias por su mensaje. La dirección a la que escribió caducó; responda a un correo más reciente de la consulta.",
    too_large: "Gracias por su mensaje. No pudo aceptarse porque él o un adjunto supera {limit}.",
    not_accepted: "Gracias por su mensaje. No pudo aceptarse: {reason}",
    received_held: "Gracias: su mensaje se recibió y espera a los moderadores.",
    unsubscribe: "Para cambiar o detener estos correos: {link}",
    closes: "Las contribuciones se cierran el {when}.",
    closed_on: "Las contribuciones se cerraron el {when}.",
    closed_by_deadline: "Las contribuciones se cerraron en el plazo fijado para el {when}.",
    months: [
        "enero",
        "febrero",
        "marzo",
        "abril",
        "mayo",
        "junio",
        "julio",
        "agosto",
        "septiembre",
        "octubre",
        "noviembre",
        "diciembre",
    ],
    date_format: "{day} de {month} de {year}, {time} UTC",
};

const RU: Labels = Labels {
    lang: "ru",
    rtl: false,
    opened_subject: "Консультация открыта: {title}",
    dear: "Уважаемый(ая) {name}!",
    opened: "Консультация «{title}» открыта для предложений.",
    questions: "Вопросы",
    answer_by_mail: "Чтобы ответить по электронной почте, напишите на {address}",
    alignment_hint: "Отвечая на заявление, можно начать с одного слова в отдельной строке: поддерживаю, нейтрально или против.",
    on_the_web: "Читать и участвовать на сайте: {link}",
    digest_subject: "Что нового: {title}",
    digest_new: "Новые заявления по вопросам, за которыми вы следите",
    digest_replies: "Ответы на ваши заявления",
    reply_by_mail: "Ответить по почте: {address}",
    decision_subject: "Ваше предложение: {title}",
    approved: "Ваше предложение одобрено модераторами и опубликовано.",
    rejected: "Ваше предложение не опубликовано. Причина: {reason}",
    phase_subject: "Новости консультации: {title}",
    phase_now: "Консультация сейчас: {phase}.",
    phases: [
        "готовится",
        "открыта",
        "закрыта",
        "обобщается",
        "опубликована",
    ],
    synthesis: "Обобщение опубликовано: {link}",
    answer_subject: "О вашем письме в Baraza",
    late: "Спасибо за письмо. Приём предложений в этой консультации закрыт, поэтому его нельзя добавить. Консультацию по-прежнему можно читать на сайте.",
    expired: "Спасибо за письмо. Срок действия адреса, на который вы написали, истёк; ответьте, пожалуйста, на более позднее письмо консультации.",
    too_large: "Спасибо за письмо. Его нельзя принять: оно или вложение больше {limit}.",
    not_accepted: "Спасибо за письмо. Его нельзя принять: {reason}",
    received_held: "Спасибо: ваше письмо получено и ждёт модераторов.",
    unsubscribe: "Изменить или отключить эти письма: {link}",
    closes: "Приём предложений закрывается {when}.",
    closed_on: "Приём предложений закрыт {when}.",
    closed_by_deadline: "Приём предложений закрыт в установленный срок: {when}.",
    months: [
        "января",
        "февраля",
        "марта",
        "апреля",
        "мая",
        "июня",
        "июля",
        "августа",
        "сентября",
        "октября",
        "ноября",
        "декабря",
    ],
    date_format: "{day} {month} {year} г., {time} UTC",
};

const ZH: Labels = Labels {
    lang: "zh",
    rtl: false,
    opened_subject: "磋商已开放：{title}",
    dear: "尊敬的{name}：",
    opened: "磋商“{title}”现已开放提交意见。",
    questions: "问题",
    answer_by_mail: "如需通过电子邮件回答，请写信至 {address}",
    alignment_hint: "回复某项发言时，可在第一行单独写一个词：支持、中立或反对。",
    on_the_web: "在网上阅读和参与：{link}",
    digest_subject: "最新动态：{title}",
    digest_new: "您关注的问题下的新发言",
    digest_replies: "对您发言的回复",
    reply_by_mail: "通过电子邮件回复：{address}",
    decision_subject: "您的意见：{title}",
    approved: "您的意见已获主持人批准并已发布。",
    rejected: "您的意见未予发布。主持人的理由：{reason}",
    phase_subject: "磋商进展：{title}",
    phase_now: "磋商当前阶段：{phase}。",
    phases: ["筹备中", "开放中", "已截止", "综述中", "已发布"],
    synthesis: "综述已发布：{link}",
    answer_subject: "关于您发给 Baraza 的邮件",
    late: "感谢来信。本次磋商已截止提交，因此无法添加您的意见。您仍可在网上阅读磋商内容。",
    expired: "感谢来信。您所写的地址已过期；请回复磋商较新的邮件。",
    too_large: "感谢来信。邮件或其附件超过 {limit}，因此无法接受。",
    not_accepted: "感谢来信。无法接受您的邮件：{reason}",
    received_held: "谢谢：您的邮件已收到，正在等待主持人审核。",
    unsubscribe: "更改或停止这些邮件：{link}",
    closes: "提交截止时间：{when}。",
    closed_on: "提交已于{when}截止。",
    closed_by_deadline: "提交已按设定的截止时间{when}关闭。",
    months: [
        "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12",
    ],
    date_format: "{year}年{month}月{day}日 {time} UTC",
};

const AR: Labels = Labels {
    lang: "ar",
    rtl: true,
    opened_subject: "المشاورة مفتوحة: {title}",
    dear: "{name} المحترم/ة،",
    opened: "المشاورة «{title}» مفتوحة لتلقي المساهمات.",
    questions: "الأسئلة",
    answer_by_mail: "للإجابة بالبريد الإلكتروني، اكتب إلى {address}",
    alignment_hint: "للرد على بيان، يمكنك أن تبدأ بكلمة واحدة في سطر مستقل: أؤيد أو محايد أو أعارض.",
    on_the_web: "اقرأ وشارك على الويب: {link}",
    digest_subject: "الجديد: {title}",
    digest_new: "بيانات جديدة في الأسئلة التي تتابعها",
    digest_replies: "ردود على بياناتك",
    reply_by_mail: "الرد بالبريد الإلكتروني: {address}",
    decision_subject: "مساهمتك: {title}",
    approved: "وافق المشرفون على مساهمتك وهي منشورة الآن.",
    rejected: "لم تُنشر مساهمتك. سبب المشرفين: {reason}",
    phase_subject: "مستجدات المشاورة: {title}",
    phase_now: "المشاورة الآن في مرحلة: {phase}.",
    phases: ["الإعداد", "مفتوحة", "مغلقة", "التوليف", "منشورة"],
    synthesis: "نُشرت الخلاصة: {link}",
    answer_subject: "بشأن رسالتك إلى Baraza",
    late: "شكرًا على رسالتك. أُغلق باب المساهمات في هذه المشاورة، لذا تعذّرت إضافتها. ما زال بإمكانك قراءة المشاورة على الويب.",
    expired: "شكرًا على رسالتك. انتهت صلاحية العنوان الذي كتبت إليه؛ يُرجى الرد على رسالة أحدث من المشاورة.",
    too_large: "شكرًا على رسالتك. تعذّر قبولها لأنها أو أحد مرفقاتها أكبر من {limit}.",
    not_accepted: "شكرًا على رسالتك. تعذّر قبولها: {reason}",
    received_held: "شكرًا: وصلت رسالتك وهي بانتظار المشرفين.",
    unsubscribe: "لتغيير هذه الرسائل أو إيقافها: {link}",
    closes: "يُغلق باب المساهمات في {when}.",
    closed_on: "أُغلق باب المساهمات في {when}.",
    closed_by_deadline: "أُغلق باب المساهمات عند الموعد النهائي المحدد في {when}.",
    months: [
        "يناير",
        "فبراير",
        "مارس",
        "أبريل",
        "مايو",
        "يونيو",
        "يوليو",
        "أغسطس",
        "سبتمبر",
        "أكتوبر",
        "نوفمبر",
        "ديسمبر",
    ],
    date_format: "{day} {month} {year}، {time} UTC",
};

/// `at` as a date and time in `l`'s language, in UTC (mail does not know the reader's time
/// zone): `3 December 2026, 14:05 UTC`, `2026年12月3日 14:05 UTC` …
pub fn date(l: &Labels, at: Millis) -> String {
    let (year, month, day, hour, minute, _) = crate::export::text::civil(at);
    let month = l.months[(month as usize).clamp(1, 12) - 1];
    super::compose::fill(
        l.date_format,
        &[
            ("day", &day.to_string()),
            ("month", month),
            ("year", &year.to_string()),
            ("time", &format!("{hour:02}:{minute:02}")),
        ],
    )
}

/// The phrases of `lang` (English for a language that is not one of the six).
pub fn labels(lang: &str) -> &'static Labels {
    match lang {
        "ar" => &AR,
        "es" => &ES,
        "fr" => &FR,
        "ru" => &RU,
        "zh" => &ZH,
        _ => &EN,
    }
}

/// The alignment a first line states, in any of the six languages (`support`, `soutien`,
/// `أؤيد` …), ignoring case and trailing punctuation.
pub fn alignment_word(line: &str) -> Option<Alignment> {
    let word = line
        .trim()
        .trim_end_matches(['.', '!', ':', '。', '！', '：', '؛', '،'])
        .trim()
        .to_lowercase();
    const SUPPORT: &[&str] = &[
        "support",
        "soutien",
        "soutiens",
        "pour",
        "apoyo",
        "a favor",
        "поддерживаю",
        "поддержка",
        "за",
        "支持",
        "أؤيد",
        "تأييد",
        "مؤيد",
    ];
    const NEUTRAL: &[&str] = &["neutral", "neutre", "нейтрально", "中立", "محايد"];
    const OPPOSE: &[&str] = &[
        "oppose",
        "contre",
        "opposé",
        "en contra",
        "против",
        "反对",
        "أعارض",
        "معارض",
    ];
    if SUPPORT.contains(&word.as_str()) {
        Some(Alignment::Supports)
    } else if NEUTRAL.contains(&word.as_str()) {
        Some(Alignment::Neutral)
    } else if OPPOSE.contains(&word.as_str()) {
        Some(Alignment::Opposes)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 2026-12-03 14:05 UTC.
    const AT: Millis = 1_796_306_700_000;

    #[test]
    fn a_date_reads_in_each_language() {
        let cases = [
            ("en", "3 December 2026, 14:05 UTC"),
            ("fr", "3 décembre 2026 à 14:05 UTC"),
            ("es", "3 de diciembre de 2026, 14:05 UTC"),
            ("ru", "3 декабря 2026 г., 14:05 UTC"),
            ("zh", "2026年12月3日 14:05 UTC"),
            ("ar", "3 ديسمبر 2026، 14:05 UTC"),
        ];
        for (lang, want) in cases {
            assert_eq!(date(labels(lang), AT), want, "{lang}");
        }
    }
}
