"""What around an article is not the article: page chrome, counters, votes, comment boxes and
advertisements, recognised by general patterns of how Chinese web pages and documents are built,
never by one article's own strings. Each pattern says why it drops a line, for the report."""

from __future__ import annotations

import datetime as dt
import re

_DATE = re.compile(r"(?<!\d)(20\d{2}|19\d{2})\s*(?:[-/.]|年)\s*(\d{1,2})\s*(?:[-/.]|月)\s*(\d{1,2})\s*日?(?!\d)")
_TIME = re.compile(r"(?<!\d)\d{1,2}:\d{2}(?::\d{2})?(?!\d)")
_URL = re.compile(r"https?://|www\.|[a-z0-9-]+\.(?:com|cn|net|org|cc|top|vip)\b", re.I)

# A line made only of these (and numbers, dates, punctuation) is page furniture.
_NAVIGATION = ("返回首页", "返回列表", "返回顶部", "回到顶部", "首页", "上一篇", "下一篇", "上一页", "下一页", "当前位置",
               "您的位置", "你的位置", "位置", "打印本页", "打印", "关闭窗口", "关闭", "收藏本页", "加入收藏", "收藏",
               "分享到", "分享", "字号", "大", "中", "小", "默认", "责任编辑", "编辑", "相关文章", "相关阅读", "推荐阅读",
               "热门文章", "猜你喜欢", "标签", "tags", "tag")
_COUNTERS = ("浏览", "浏览次数", "阅读", "阅读数", "阅读量", "点击", "点击数", "点击量", "人气", "次", "views",
             "发布时间", "发布日期", "发表于", "发布", "更新时间", "日期", "时间", "来源", "作者", "admin", "管理员",
             "编辑", "责任编辑", "字数", "评论", "本站", "原创", "转载")
_VOTES = ("顶一下", "踩一下", "顶", "踩", "赞", "点赞", "赞一下", "有用", "没用", "好评", "差评", "支持", "反对",
          "喜欢", "不喜欢", "收藏", "分享")
# From one of these on, the rest of the page is comments and their form.
_COMMENT_BOX = re.compile(r"^(相关评论|网友评论|最新评论|热门评论|发表评论|我要评论|评论区|全部评论|已有\s*\d+\s*条评论"
                          r"|共\s*\d+\s*条评论|查看全部评论|文明上网)")
_FORM_FIELDS = re.compile(r"^(用户名|昵称|验证码|密码|邮箱|email|匿名发表|提交|发表|登录|注册)\s*[:：]?", re.I)
_PROMOTION = re.compile(r"更多|前往|访问|关注|咨询|扫码|扫一扫|微信|公众号|点击|下载|加盟|热线|优惠|推广|广告|官网|客服|联系我们|进入")
_ADVERT_START = re.compile(r"^(广告|推广|赞助|AD)\s*[:：|]?", re.I)
_DISCLAIMER = re.compile(r"(版权归原作者|版权归原作者所有|如有侵权|侵权请联系|侵删|转载请注明|本文来源于网络|来源于网络|"
                         r"仅供参考，?不代表本站|不代表本站观点|本站不承担)")
_NAVIGATION_START = re.compile(r"^(当前位置|您的位置|你的位置|所在位置|位置|上一篇|下一篇|上一条|下一条|相关阅读|相关文章|"
                               r"推荐阅读|延伸阅读|热门文章|热门推荐|猜你喜欢)\s*[:：>]")
_META_WORDS = ("发布时间", "发布日期", "发布于", "发表于", "更新时间", "浏览", "阅读", "点击", "人气", "作者", "来源",
               "编辑", "admin")
_LEFTOVER = re.compile(r"[\s\d()（）%:：|/·•.,，、\-—_~*#\[\]【】<>《》]+")


def find_date(text: str) -> dt.date | None:
    for match in _DATE.finditer(text):
        try:
            return dt.date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
        except ValueError:
            continue
    return None


def _only(text: str, words: tuple[str, ...]) -> bool:
    """Nothing but these words, numbers, dates, times and punctuation."""
    rest = _TIME.sub(" ", _DATE.sub(" ", text.lower()))
    for word in sorted(words, key=len, reverse=True):
        rest = rest.replace(word.lower(), " ")
    return not _LEFTOVER.sub("", rest)


def starts_comments(text: str) -> bool:
    return bool(_COMMENT_BOX.match(text))


def reason(text: str) -> str | None:
    """Why a line is not article text, or None when it may be."""
    if len(text) <= 80 and (find_date(text) or _TIME.search(text)) and (
            _only(text, _COUNTERS) or sum(word in text for word in _META_WORDS) >= 2):
        return "发布信息（日期、浏览次数、作者）"
    if _LEFTOVER.fullmatch(text):
        return "只有数字或符号（计数、百分比等）"
    if _only(text, _VOTES):
        return "投票按钮（顶、踩、点赞）"
    if _only(text, _NAVIGATION):
        return "网页导航"
    if _NAVIGATION_START.match(text):
        return "网页导航（位置、上一篇、相关文章）"
    if _FORM_FIELDS.match(text) and len(text) <= 60:
        return "评论表单"
    if _ADVERT_START.match(text):
        return "广告"
    if _URL.search(text) and _PROMOTION.search(text) and len(text) <= 200:
        return "广告（带网址的推广语）"
    if _DISCLAIMER.search(text) and len(text) <= 120:
        return "转载和版权声明"
    return None
